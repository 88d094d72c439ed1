"""A campaign's public text over time: each change kept as a revision, and compared by words."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.i18n import N_, NAMES
from app.models import Campaign, CampaignRevision, Organizer
from app.services import text
from app.services.campaigns.languages import SOURCE_NOTES

# What a reader of the public page or a letter sees; each change of these is a revision.
# The labels are translated where they are shown.
PUBLIC_TEXT = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "petition": N_("Petition statement"),
    "explainer": N_("Explainer"),
    "letter_subject": N_("Letter subject"),
    "letter_body": N_("Letter template"),
    "sources": N_("Sources"),
}
# A translation's public text: the same fields, with notes on the sources in place of them.
TRANSLATED_TEXT = {
    **{name: label for name, label in PUBLIC_TEXT.items() if name != "sources"},
    SOURCE_NOTES: N_("Source notes"),
}
SOURCE_PARTS = ("title", "publisher", "date", "url", "note")
# Below this share of words in common, a changed line reads better as removed and added whole.
WORD_DIFF_MIN_RATIO = 0.5
BEFORE_HISTORY = "The text as it stood before its changes were recorded."


@dataclass
class FieldChange:
    label: str
    # Each line is a list of (kind, words): kind is "same", "removed" or "added".
    lines: list[list[tuple[str, str]]]
    language: str = ""  # a translation's language name; empty for the default text


@dataclass
class Change:
    revision: CampaignRevision
    fields: list[FieldChange]  # empty for the first revision: nothing to compare it with


def public_text(campaign: Campaign) -> dict[str, Any]:
    """The campaign's public text as a revision keeps it, in the form the workspace cleans
    it to (app/services/text.py), so text saved unchanged is never a change.

    Translations are kept under "translations" only when there are some, so revisions
    recorded before campaigns had them still compare equal.
    """
    kept: dict[str, Any] = {
        name: [
            {key: text.one_line(str(value)) for key, value in s.items()}
            for s in campaign.sources or []
        ]
        if name == "sources"
        else text.paragraphs(getattr(campaign, name) or "")
        for name in PUBLIC_TEXT
    }
    if campaign.translations:
        kept["translations"] = {
            locale: _translated_text(fields) for locale, fields in campaign.translations.items()
        }
    return kept


def _translated_text(fields: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {
        name: text.paragraphs(value)
        for name, value in fields.items()
        if name in TRANSLATED_TEXT and name != SOURCE_NOTES and value
    }
    notes = {number: text.one_line(note) for number, note in fields.get(SOURCE_NOTES, {}).items()}
    if any(notes.values()):
        kept[SOURCE_NOTES] = {number: note for number, note in notes.items() if note}
    return kept


def record_revision(
    campaign: Campaign,
    reason: str,
    author: Organizer | None = None,
    before: dict[str, Any] | None = None,
) -> CampaignRevision | None:
    """Keep the campaign's public text as a revision if it differs from the last one.

    `before` is the text before this change; for a campaign with no revisions yet it is kept
    first, so the change can still be shown against what readers saw.
    """
    text = public_text(campaign)
    history = revisions(campaign)
    last = history[0].text if history else None
    if last == text:
        return None
    if last is None and before is not None and before != text:
        _add(campaign, BEFORE_HISTORY, None, before)
    return _add(campaign, reason, author, text)


def _add(
    campaign: Campaign, reason: str, author: Organizer | None, text: dict[str, Any]
) -> CampaignRevision:
    revision = CampaignRevision(
        campaign_id=campaign.id,
        author_id=author.id if author is not None else None,
        reason=reason.strip()[:300],
        text=text,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def revisions(campaign: Campaign) -> list[CampaignRevision]:
    """The campaign's revisions, newest first."""
    return list(
        db.session.scalars(
            sa.select(CampaignRevision)
            .where(CampaignRevision.campaign_id == campaign.id)
            .order_by(CampaignRevision.id.desc())
        )
    )


def changes(campaign: Campaign) -> list[Change]:
    """Every revision, newest first, with what it changed in the one before it."""
    history = revisions(campaign)
    return [
        Change(revision, _field_changes(older.text, revision.text) if older else [])
        for revision, older in zip(history, history[1:] + [None], strict=True)
    ]


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    changed = []
    for name, label in PUBLIC_TEXT.items():
        lines = diff_lines(_lines(name, before.get(name)), _lines(name, after.get(name)))
        if lines:
            changed.append(FieldChange(label, lines))
    translated_before = before.get("translations") or {}
    translated_after = after.get("translations") or {}
    for locale in sorted(set(translated_before) | set(translated_after)):
        old, new = translated_before.get(locale, {}), translated_after.get(locale, {})
        for name, label in TRANSLATED_TEXT.items():
            lines = diff_lines(_lines(name, old.get(name)), _lines(name, new.get(name)))
            if lines:
                changed.append(FieldChange(label, lines, NAMES.get(locale, locale)))
    return changed


def _lines(name: str, value: Any) -> list[str]:
    if name == SOURCE_NOTES:
        return [f"[{number}] {note}" for number, note in sorted((value or {}).items(), key=_number)]
    if name == "sources":
        return [
            " | ".join(str(s[part]) for part in SOURCE_PARTS if s.get(part)) for s in value or []
        ]
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def _number(item: tuple[str, str]) -> int:
    return int(item[0]) if item[0].isdigit() else 0


def diff_lines(before: list[str], after: list[str]) -> list[list[tuple[str, str]]]:
    """The changed lines only, each as word segments marked same, removed or added."""
    rows: list[list[tuple[str, str]]] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = before[i1:i2], after[j1:j2]
        while old and new and _similar(old[0], new[0]):
            rows.append(_word_diff(old.pop(0), new.pop(0)))
        rows += [[("removed", line)] for line in old]
        rows += [[("added", line)] for line in new]
    return rows


def _similar(old: str, new: str) -> bool:
    matcher = difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False)
    return matcher.ratio() >= WORD_DIFF_MIN_RATIO


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    old_words, new_words = old.split(), new.split()
    segments = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", " ".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("removed", " ".join(old_words[i1:i2])))
        if j2 > j1:
            segments.append(("added", " ".join(new_words[j1:j2])))
    return segments
