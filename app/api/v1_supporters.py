"""Supporter data with an API key: signatures and letters read, signatures written."""

from flask import Response, abort, g, request, stream_with_context
from werkzeug.datastructures import MultiDict

from app.api import v1
from app.api.auth import requires_scope
from app.extensions import csrf
from app.models import Campaign, Scope
from app.public.forms import SignSubmission
from app.ratelimits import count_submission
from app.services.api import public as resources
from app.services.api import supporters
from app.services.errors import CampaignClosed, UnknownZip
from app.services.letters.places import locate_zip
from app.services.signing import signatures as signing

PAGES = {"signatures": supporters.signatures_page, "letters": supporters.letters_page}


def _campaign(slug: str) -> Campaign:
    campaign = resources.public_campaign(slug)
    if campaign is None:
        abort(404)
    return campaign


def _page(what: str, slug: str) -> Response:
    campaign = _campaign(slug)
    args = request.args
    page = supporters.PageRequest.parse(args.get("cursor"), args.get("since"), args.get("limit"))
    body = stream_with_context(PAGES[what](campaign, page))
    return Response(body, mimetype="application/hal+json")


@v1.get("/campaigns/<slug>/signatures")
@requires_scope(Scope.SUPPORTERS_READ)
def signatures(slug: str):
    """A page of the campaign's signatures, oldest first, with a next link."""
    return _page("signatures", slug)


@v1.get("/campaigns/<slug>/letters")
@requires_scope(Scope.SUPPORTERS_READ)
def letters(slug: str):
    """A page of the campaign's letters, oldest first, with a next link."""
    return _page("letters", slug)


@v1.post("/campaigns/<slug>/signatures")
@csrf.exempt
@requires_scope(Scope.SIGNATURES_WRITE)
def add_signature(slug: str):
    """Record a signature from a partner site, exactly as the public sign form does: the
    same checks, rate limits and confirmation email, and the same answer whether or not
    the address had signed."""
    submission = SignSubmission(_sign_formdata(request.get_json(silent=True)))
    if submission.fields is None:
        count_submission()
        return {"error": "Unprocessable", "errors": submission.form.errors}, 422
    try:
        place = locate_zip(submission.fields.zip)
    except UnknownZip as error:
        count_submission()
        return {"error": "Unprocessable", "errors": {"zip": [error.message]}}, 422
    body = request.get_json()
    try:
        signing.sign(
            slug,
            submission.fields.to_request(
                place, source=str(body.get("source") or f"api-key-{g.api_key.id}")
            ),
        )
    except CampaignClosed:
        return {"error": "Conflict", "detail": "This campaign is not taking signatures."}, 409
    return {"status": "pending", "detail": "A confirmation email is on its way."}, 202


def _sign_formdata(body: object) -> MultiDict:
    """The public sign form's fields, filled from an OSDI signature helper's body."""
    body = body if isinstance(body, dict) else {}
    person = body.get("person") if isinstance(body.get("person"), dict) else {}
    emails = person.get("email_addresses") or [{}]
    postal = person.get("postal_addresses") or [{}]
    name = f"{_text(person.get('given_name'))} {_text(person.get('family_name'))}".strip()
    fields = {
        "name": name,
        "email": _text(emails[0].get("address") if isinstance(emails[0], dict) else ""),
        "zip": _text(postal[0].get("postal_code") if isinstance(postal[0], dict) else ""),
    }
    for flag in ("consent_updates", "show_publicly"):
        if body.get(flag) is True:
            fields[flag] = "y"
    return MultiDict(fields)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
