"""The public API: campaigns, counts, tallies, milestones, responses; no key, cacheable."""

from pathlib import Path

import yaml
from flask import abort

from app.api import v1
from app.http_cache import public
from app.models import Campaign
from app.services.api import public as resources

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")


def _campaign(slug: str) -> Campaign:
    campaign = resources.public_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


@v1.get("/openapi.json")
@public
def openapi():
    """The API's OpenAPI 3.1 description, from app/api/openapi.yaml."""
    return yaml.safe_load(OPENAPI_FILE.read_text())


@v1.get("/campaigns")
@public
def campaigns():
    """Every public campaign with its counts."""
    return resources.campaigns()


@v1.get("/campaigns/<slug>")
@public
def campaign(slug: str):
    """One campaign with its counts."""
    return resources.campaign(_campaign(slug))


@v1.get("/campaigns/<slug>/tallies")
@public
def tallies(slug: str):
    """Confirmed signatures by state and congressional district."""
    return resources.tallies(_campaign(slug))


@v1.get("/campaigns/<slug>/milestones")
@public
def milestones(slug: str):
    """The campaign's milestones and when each was reached."""
    return resources.milestones(_campaign(slug))


@v1.get("/campaigns/<slug>/responses")
@public
def responses(slug: str):
    """Representatives' published responses."""
    return resources.responses(_campaign(slug))
