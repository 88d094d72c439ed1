"""Response header edits made on every request, kept cheap.

Why: werkzeug's parsed header properties (`response.vary`) parse the header into a set and
write it back on every change, and a missing key raises (and builds) an exception inside
`Headers.setdefault`; done on every response, those were a tenth of a signature's
request overhead. Plain list scans give the same headers.
"""

from __future__ import annotations

from werkzeug.datastructures import Headers


def add_vary(headers: Headers, name: str) -> None:
    """Add name to the Vary header unless it is there already, as `response.vary.add`."""
    names = [n.strip() for value in headers.getlist("Vary") for n in value.split(",")]
    names = [n for n in names if n]
    if name.lower() not in (n.lower() for n in names):
        headers.set("Vary", ", ".join([*names, name]))


def set_default(headers: Headers, name: str, value: str) -> None:
    """Set a header unless the response has it already, as `Headers.setdefault`."""
    if not headers.getlist(name):
        headers.set(name, value)
