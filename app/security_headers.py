"""Security headers on every response: what the browser may load, frame and tell others.

Chorus pages run no inline script (scripts are files in static/), so the policy allows
scripts from this site only; an injected <script> or onclick= would not run. Styles may be
inline: a progress bar's width and the map's tile positions are style attributes, which
cannot run code. Representatives' photos come from public sites over https.
"""

from __future__ import annotations

from flask import Flask, Response, request

_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
]
# The one decision about framing: no page may be framed by any site, except the
# embeddable sign form (app/public/embed.py), which any partner's site may frame.
CONTENT_SECURITY_POLICY = "; ".join([*_POLICY, "frame-ancestors 'none'"])
EMBED_POLICY = "; ".join([*_POLICY, "frame-ancestors *"])
EMBEDDABLE = {"public.embed", "public.embed_sign", "public.embed_thanks"}
# Pages whose URL is a credential (a signer's link, a representative's private page): they
# send no Referer at all, not even to this site's own logs.
TOKEN_PATHS = ("/confirm/", "/withdraw/", "/unsubscribe/", "/r/")


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint in EMBEDDABLE:
        headers["Content-Security-Policy"] = EMBED_POLICY
    else:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate it
    headers["Referrer-Policy"] = (
        "no-referrer" if request.path.startswith(TOKEN_PATHS) else "strict-origin-when-cross-origin"
    )
    return response


def register_security_headers(app: Flask) -> None:
    """Add the security headers to every response, error pages and static files included."""
    app.after_request(_add_security_headers)
