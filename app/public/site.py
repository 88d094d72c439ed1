"""What browsers and crawlers ask every site for: the icon and robots.txt."""

from flask import Response, current_app, send_from_directory

from app.http_cache import public
from app.public import bp

# The workspace and representatives' private pages are nobody's search results.
ROBOTS = "User-agent: *\nDisallow: /organizer/\nDisallow: /r/\n"


@bp.get("/favicon.ico")
def favicon():
    """The site's icon (an SVG, which every current browser takes at this address too)."""
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.get("/robots.txt")
@public
def robots():
    """Keep crawlers out of the workspace and the representatives' pages."""
    return Response(ROBOTS, mimetype="text/plain")
