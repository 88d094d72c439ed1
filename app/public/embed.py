"""The embeddable sign form: `/c/<slug>/embed`, framed by partners' pages.

Every other page refuses to be framed (clickjacking); these are the only exceptions, and
`embeddable` below is the one place that decides their framing header. A partner's page
is another site, where browsers withhold our session cookie from the frame, so the embed's
POST carries no CSRF token (there is no session to protect: signing needs no login, and a
signature still needs its email confirmed); its rate limits are the sign form's.
"""

from collections.abc import Callable
from functools import wraps

from flask import make_response, redirect, render_template, url_for

from app.extensions import csrf
from app.http_cache import public
from app.public import bp
from app.public.routes import public_campaign, sign_form, take_signature

# Any site may frame the embed: that is what it is for.
FRAME_ANCESTORS = "frame-ancestors *"


def embeddable(view: Callable) -> Callable:
    """Let any site frame this view's responses (and only this view's)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Content-Security-Policy"] = FRAME_ANCESTORS
        response.headers.pop("X-Frame-Options", None)
        return response

    return wrapped


def _render(slug: str, form, status: int = 200):
    return render_template("embed.html", campaign=public_campaign(slug), form=form), status


@bp.get("/c/<slug>/embed")
@embeddable
@public
def embed(slug: str):
    """The sign form alone, for a partner's page (`?src=` is read by static/share.js)."""
    return _render(slug, sign_form())


@bp.post("/c/<slug>/embed/sign")
@csrf.exempt
@embeddable
def embed_sign(slug: str):
    """Record a signature from the embedded form, as the campaign page's form does."""
    form = sign_form()
    refused = take_signature(slug, form)
    if refused:
        return _render(slug, form, refused)
    return redirect(url_for("public.embed_thanks", slug=slug))


@bp.get("/c/<slug>/embed/thanks")
@embeddable
@public
def embed_thanks(slug: str):
    """Ask the signer, inside the frame, to look for the confirmation email."""
    return render_template("embed_thanks.html", campaign=public_campaign(slug))
