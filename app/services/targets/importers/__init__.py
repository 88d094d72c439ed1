"""Importing public data about representatives and districts: the pieces every importer shares.

Each importer reads one upstream format from a local path or its upstream URL, checks
every record (a malformed one stops the import with its file and line), and writes in the
caller's single transaction, so a failed import leaves nothing half-done behind.
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from app.services.errors import ChorusError

# libyaml's parser is about ten times faster than the pure-Python one (7,500 files to read).
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DOWNLOAD_TIMEOUT_SECONDS = 60


class MalformedData(ChorusError):
    """A record an importer cannot use, named by file and line."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")
        self.path, self.line, self.problem = str(path), line, problem


@dataclass
class ImportSummary:
    """What an import changed, for the operator."""

    added: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    # District offices read, when the import carried them.
    offices: int | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        offices = "" if self.offices is None else f", {self.offices} district offices"
        return (
            f"{self.added} added, {self.updated} updated, {self.deactivated} deactivated, "
            f"{self.unchanged} unchanged{offices} ({self.seconds:.1f} s)"
        )


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


@contextmanager
def local_copy(source: str) -> Iterator[Path]:
    """A local path for source: the path itself, or a temporary download of a URL."""
    if not is_url(source):
        path = Path(source)
        if not path.exists():
            raise MalformedData(source, None, "no such file or directory")
        yield path
        return
    name = Path(urlsplit(source).path).name or "download"
    with tempfile.TemporaryDirectory(prefix="chorus-import-") as directory:
        target = Path(directory) / name
        try:
            with (
                urllib.request.urlopen(source, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
                target.open("wb") as out,
            ):
                shutil.copyfileobj(response, out)
        except OSError as error:
            raise MalformedData(source, None, f"download failed: {error}") from error
        yield target


def load_yaml(path: Path) -> object:
    """Parse one YAML file, reporting a syntax error with its line."""
    try:
        with path.open("rb") as handle:
            return yaml.load(handle, Loader=YamlLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or error
        raise MalformedData(path, line, f"not valid YAML ({problem})") from error


def numbered_list_items(path: Path, what: str) -> Iterator[tuple[object, int | None]]:
    """Each item of a YAML file's top-level list with the line it starts on."""
    items = load_yaml(path)
    if not isinstance(items, list):
        raise MalformedData(path, 1, f"expected a list of {what}")
    # The files are block-style YAML: every top-level item starts with "- " in column 0.
    with path.open(encoding="utf-8") as handle:
        lines = [number for number, text in enumerate(handle, 1) if text.startswith("- ")]
    for index, item in enumerate(items):
        yield item, (lines[index] if index < len(lines) else None)
