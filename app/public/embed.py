"""The embeddable sign form: `/c/<slug>/embed`, framed by partners' pages.

These are the only pages another site may frame (app/security_headers.py: EMBEDDABLE)
and whose form another site may post (app/cross_origin.py): a partner's page is another
site. Signing needs no login and a signature still needs its email confirmed, so a post
from elsewhere can do nothing the partner's visitor could not; the sign form's rate
limits apply as ever.
"""

from flask import redirect, render_template, url_for

from app.http_cache import public
from app.public import bp
from app.public.forms import SignForm, SignSubmission
from app.public.routes import public_campaign, take_signature
from app.services.campaigns.languages import in_language
from app.services.workspace.organization import sponsor_of


def _render(slug: str, form, status: int = 200):
    campaign = public_campaign(slug)
    page = render_template(
        "embed.html", campaign=in_language(campaign), sponsor=sponsor_of(campaign), form=form
    )
    return page, status


@bp.get("/c/<slug>/embed")
@public
def embed(slug: str):
    """The sign form alone, for a partner's page (`?src=` is read by static/share.js)."""
    return _render(slug, SignForm())


@bp.post("/c/<slug>/embed/sign")
def embed_sign(slug: str):
    """Record a signature from the embedded form, as the campaign page's form does."""
    submission = SignSubmission()
    refused, _ = take_signature(slug, submission)
    if refused:
        return _render(slug, submission.form, refused)
    return redirect(url_for("public.embed_thanks", slug=slug))


@bp.get("/c/<slug>/embed/thanks")
@public
def embed_thanks(slug: str):
    """Ask the signer, inside the frame, to look for the confirmation email."""
    return render_template("embed_thanks.html", campaign=in_language(public_campaign(slug)))
