"""CSV cells that are safe to open in a spreadsheet, for every export and attachment."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A value as a CSV cell: blanks for None, readable datetimes, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """A whole CSV document with safe cells (for small files such as attachments)."""
    return "".join(csv_chunks(header, [rows]))


def csv_chunks(header: Iterable[str], batches: Iterable[Iterable[Iterable]]) -> Iterator[str]:
    """CSV text in one chunk per batch of rows, so large exports stream in constant memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for batch in batches:
        writer.writerows([spreadsheet_cell(value) for value in row] for row in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():  # the header alone, when there were no batches
        yield buffer.getvalue()
