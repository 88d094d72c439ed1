"""Cleaning what people type: one normal form for names, subjects and letters."""

from __future__ import annotations

import re
import unicodedata

# Joiners shape emoji sequences and Persian or Indic names; every other control or format
# character (bidi overrides, zero-width spaces, NUL) only hides or reorders text.
_JOINERS = {"\u200c", "\u200d"}


def _visible(ch: str) -> bool:
    return ch in _JOINERS or unicodedata.category(ch)[0] != "C"


def one_line(text: str, max_length: int | None = None) -> str:
    """NFKC, invisible characters and line breaks turned to spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = " ".join("".join(ch if _visible(ch) else " " for ch in text).split())
    return text[:max_length] if max_length else text


def paragraphs(text: str) -> str:
    """NFKC, Unix line breaks, invisible characters removed, outer blank space trimmed."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or _visible(ch)).strip()


_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
# A short list on purpose: it only routes a letter to a person, who decides.
_PROFANITY = re.compile(
    r"\b(\w*fuck\w*|\w*shit\w*|bitch\w*|bastard\w*|asshole\w*|cunt\w*|dickhead\w*)\b",
    re.IGNORECASE,
)


def full_stop(sentence: str) -> str:
    """End a sentence with one period, even after "Washington, D.C."."""
    return sentence if sentence.endswith(".") else f"{sentence}."


def has_link(text: str) -> bool:
    return bool(_LINK.search(text))


def has_profanity(text: str) -> bool:
    return bool(_PROFANITY.search(text))
