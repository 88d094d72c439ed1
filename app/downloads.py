"""Files to download beside a CSV: a plain-text sidecar, and the Link header naming it.

Why a sidecar: a CSV file read by spreadsheets, CRMs and scripts must be a header and rows;
a comment line above the header breaks most of them, and a column repeating the same text
on every row bloats the file. What describes the rows travels beside them (docs/delivery.md).
"""

from flask import Response


def describedby(url: str) -> str:
    """A Link header value naming the document that describes a CSV file (RFC 8288)."""
    return f'<{url}>; rel="describedby"; type="text/plain"'


def text_download(body: str, filename: str) -> Response:
    """Plain text as a file to save."""
    return Response(
        body,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
