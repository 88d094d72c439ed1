"""The language switcher: remember the reader's choice and show the page in it."""

from flask import abort, redirect, request

from app.i18n import COOKIE, COOKIE_MAX_AGE, LOCALES
from app.public import bp


@bp.get("/language/<code>")
def choose_language(code: str):
    """Remember a language the reader picked (a cookie) and show the page they were on in it."""
    if code not in LOCALES:
        abort(404)
    page = request.args.get("next", "/")
    if not page.startswith("/") or page.startswith("//"):
        page = "/"  # only pages of this site: no open redirect
    response = redirect(f"/{code}{page}")
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response
