"""Who receives a signer's letter: from a ZIP code to the campaign's targets for that place.

A ZIP code may lie in several congressional districts (or, rarely, states); state
legislative districts are not known from a ZIP at all. Where the data cannot decide, the
signer picks from a short list naming each district's members, and the choice is checked
again here on every step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import LazyString, force_locale, gettext

from app.clock import utcnow
from app.extensions import db
from app.i18n import DEFAULT_LOCALE, N_
from app.models import Campaign, DatasetKind, Target, TargetKind, ZipDistrict
from app.services import text
from app.services.letters.places import Place, locate_zip
from app.services.targets.datasets import held_chambers, in_force, ordinal_in_language

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "Washington, D.C.",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AS": "American Samoa", "GU": "Guam", "MP": "the Northern Mariana Islands",
    "PR": "Puerto Rico", "VI": "the U.S. Virgin Islands",
}  # fmt: skip
# Places with a non-voting member of the House and no senators.
NO_SENATORS = {"DC", "AS", "GU", "MP", "PR", "VI"}
# Nebraska's Legislature and the DC Council have one chamber, imported as the upper one.
ONE_CHAMBER = {"NE", "DC"}


# Whole sentences per kind of target, so each language can word them its own way.
HELD = {
    TargetKind.US_SENATE: N_("Letters to your U.S. senators are held: %(reason)s."),
    TargetKind.US_HOUSE: N_("Letters to your U.S. representative are held: %(reason)s."),
    TargetKind.STATE_UPPER: N_("Letters to your state senator are held: %(reason)s."),
    TargetKind.STATE_LOWER: N_("Letters to your state representative are held: %(reason)s."),
    TargetKind.GOVERNOR: N_("Letters to your governor are held: %(reason)s."),
}
# `where` ends with one full stop, even after "Washington, D.C.".
NONE_ON_FILE = {
    TargetKind.US_SENATE: N_("We have no U.S. senators on file for %(where)s"),
    TargetKind.US_HOUSE: N_("We have no member of the House on file for %(where)s"),
    TargetKind.STATE_UPPER: N_("We have no state senator on file for %(where)s"),
    TargetKind.STATE_LOWER: N_("We have no state representative on file for %(where)s"),
    TargetKind.GOVERNOR: N_("We have no current governor on file for %(where)s"),
}


def state_name(state: str) -> str:
    return STATE_NAMES.get(state, state)


def district_label(state: str, district: str, congressional: bool = False) -> str:
    """'New York, 12th district', 'Alaska, at large', or the state alone if unknown, in the
    reader's language."""
    if not district:
        return state_name(state)
    if district == "0":
        return gettext("%(state)s, at large", state=state_name(state))
    words = {"state": state_name(state), "ordinal": ordinal_in_language(int(district))}
    if congressional:
        return gettext("%(state)s, %(ordinal)s congressional district", **words)
    return gettext("%(state)s, %(ordinal)s district", **words)


@dataclass(frozen=True)
class DistrictOption:
    """One district a signer may pick, with the names of the people who represent it."""

    state: str
    district: str
    label: str
    members: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"{self.state}-{self.district}"


@dataclass
class Route:
    """Where a signer is, what they still have to choose, and who receives their letter."""

    place: Place
    # The members-of-Congress dataset in force when the letter is written.
    members_dataset_id: int | None = None
    zips_dataset_id: int | None = None
    # Kinds of target whose letters wait, and why (their data for the day is missing).
    held: dict[str, LazyString] = field(default_factory=dict)
    state: str = ""
    district: str = ""
    upper_district: str = ""
    lower_district: str = ""
    district_choices: list[DistrictOption] = field(default_factory=list)
    upper_choices: list[DistrictOption] = field(default_factory=list)
    lower_choices: list[DistrictOption] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    # Plain-language reasons: why a kind of recipient is missing, why we asked.
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.district_choices or self.upper_choices or self.lower_choices)

    @property
    def held_reason(self) -> str:
        """Why the campaign's letters to some chambers wait ("" when none do), in English:
        it is kept on the letter for staff."""
        with force_locale(DEFAULT_LOCALE):
            return "; ".join(sorted({str(reason) for reason in self.held.values()}))

    @property
    def district_code(self) -> str:
        return f"{self.state}-{self.district}" if self.state and self.district else ""

    @property
    def label(self) -> str:
        return district_label(self.state, self.district)

    @property
    def where(self) -> str:
        """Where the signer is, for them: 'Illinois, 5th congressional district'."""
        return district_label(self.state, self.district, congressional=True)

    @property
    def state_label(self) -> str:
        return state_name(self.state)

    def unanswered(self, asked: list[str]) -> bool:
        """Whether a question the signer was shown (by field name) is still open."""
        still_open = {
            "district": self.district_choices,
            "upper": self.upper_choices,
            "lower": self.lower_choices,
        }
        return any(still_open.get(name) for name in asked)

    @property
    def signer_place(self) -> Place:
        """The place to record on the signature: the one district settled on."""
        place = self.place
        return Place(place.zip, ((self.state, self.district),), place.from_zcta, place.dataset_id)


def route_letter(
    campaign: Campaign,
    zip_code: str,
    district: str = "",
    upper: str = "",
    lower: str = "",
    now: datetime | None = None,
) -> Route:
    """Work out a signer's districts and the campaign's recipients for them, with the
    ZIP map and members of Congress in force at `now` (default: this moment).

    `district` is a chosen congressional district as "ST-N"; `upper` and `lower` are chosen
    state legislative districts. Choices that do not belong to the place are ignored, and
    the route then lists what is left to choose. Where the data for the day is missing,
    letters to the chambers it serves are held, with the reason, rather than routed on a
    past Congress's data. Raises UnknownZip.
    """
    now = now or utcnow()
    members, zip_map = in_force(DatasetKind.CONGRESS, now), in_force(DatasetKind.ZIPS, now)
    missing = {
        kind
        for kind, data in ((DatasetKind.CONGRESS, members), (DatasetKind.ZIPS, zip_map))
        if data is None
    }
    kinds = set(campaign.target_kinds or ())
    route = Route(
        place=locate_zip(zip_code, now),
        members_dataset_id=members.id if members is not None else None,
        zips_dataset_id=zip_map.id if zip_map is not None else None,
        held={k: why for k, why in held_chambers(now, missing).items() if k in kinds},
    )
    _settle_congressional_district(route, district, TargetKind.US_HOUSE in kinds)
    if not route.state:
        return route
    if TargetKind.STATE_UPPER in kinds:
        route.upper_district, route.upper_choices = _pick_state_district(
            route.state, TargetKind.STATE_UPPER, upper
        )
    if TargetKind.STATE_LOWER in kinds:
        route.lower_district, route.lower_choices = _pick_state_district(
            route.state, TargetKind.STATE_LOWER, lower
        )
    if route.complete:
        route.targets = _targets(campaign, route)
    return route


def _settle_congressional_district(route: Route, chosen: str, to_the_house: bool) -> None:
    """Settle the signer's state, and their House district when the letter goes there."""
    place = route.place
    if TargetKind.US_HOUSE in route.held and not place.from_zcta:
        # No map for today: asking which district would ask about lines that have moved.
        route.state = place.state
        return
    if place.from_zcta:
        pairs = list(place.districts)
    else:
        pairs = congressional_districts(
            place.state, route.zips_dataset_id, route.members_dataset_id
        )
        route.notes.append(
            gettext(
                "ZIP code %(zip)s is not on the Census Bureau's ZIP code map (often a PO box "
                "ZIP), so we only know it is in %(state)s",
                zip=place.zip,
                state=text.full_stop(state_name(place.state)),
            )
        )
    options = _district_options(pairs, route.members_dataset_id)
    match = [o for o in options if o.code == chosen]
    if len(options) == 1 or match:
        settled = match[0] if match else options[0]
        route.state, route.district = settled.state, settled.district
    elif len({o.state for o in options}) == 1:
        # One state: its legislators can be chosen now; the House district matters only
        # to a letter that goes to the House.
        route.state = options[0].state
        if to_the_house:
            route.district_choices = options
    elif options:
        route.district_choices = options
    else:
        # A territory with no House data: we still know the state.
        route.state = place.state


def congressional_districts(
    state: str, zips_dataset_id: int | None, members_dataset_id: int | None
) -> list[tuple[str, str]]:
    """A state's congressional districts, from the ZIP map and the members in force."""
    rows = db.session.execute(
        sa.union(
            sa.select(ZipDistrict.state, ZipDistrict.district).where(
                ZipDistrict.state == state, ZipDistrict.dataset_id == zips_dataset_id
            ),
            sa.select(Target.state, Target.district).where(
                _serving(TargetKind.US_HOUSE, members_dataset_id), Target.state == state
            ),
        )
    ).all()
    return sorted(((r[0], r[1]) for r in rows), key=lambda p: (p[0], int(p[1] or 0)))


def _district_options(
    pairs: list[tuple[str, str]], members_dataset_id: int | None
) -> list[DistrictOption]:
    members = _members(TargetKind.US_HOUSE, {state for state, _ in pairs}, members_dataset_id)
    return [
        DistrictOption(
            state, district, district_label(state, district), members.get((state, district), ())
        )
        for state, district in pairs
    ]


def _serving(kind: str, members_dataset_id: int | None) -> sa.ColumnElement[bool]:
    """Active targets of a kind; members of Congress only from the dataset in force."""
    condition = (Target.kind == kind) & Target.active
    if kind in (TargetKind.US_SENATE, TargetKind.US_HOUSE):
        condition &= Target.dataset_id == members_dataset_id
    return condition


def _members(
    kind: str, states: set[str], members_dataset_id: int | None = None
) -> dict[tuple[str, str], tuple[str, ...]]:
    rows = db.session.execute(
        sa.select(Target.state, Target.district, Target.name)
        .where(_serving(kind, members_dataset_id), Target.state.in_(states))
        .order_by(Target.name)
    ).all()
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for state, district, name in rows:
        found[(state, district)] = (*found.get((state, district), ()), name)
    return found


def _pick_state_district(state: str, kind: str, chosen: str) -> tuple[str, list[DistrictOption]]:
    """(the chosen district, or "" and the state's list to choose from)."""
    members = _members(kind, {state})
    if not members:
        return "", []
    options = [
        DistrictOption(state, district, _state_district_label(district), names)
        for (_, district), names in sorted(members.items(), key=lambda kv: _natural(kv[0][1]))
    ]
    if len(options) == 1:
        return options[0].district, []
    if chosen in {o.district for o in options}:
        return chosen, []
    return "", options


def _state_district_label(district: str) -> str:
    return gettext("District %(number)s", number=district) if district.isdigit() else district


def _natural(label: str) -> tuple:
    """Sort '2' before '10' and '21A' before '21B'."""
    parts = re.findall(r"\d+|\D+", label)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


def _targets(campaign: Campaign, route: Route) -> list[Target]:
    kinds = [kind for kind in TargetKind.ROUTED if kind in (campaign.target_kinds or ())]
    targets: list[Target] = []
    for kind in kinds:
        if kind in route.held:
            route.notes.append(gettext(HELD[kind], reason=route.held[kind]))
            continue
        found = _active(kind, route)
        if not found:
            note = _missing_note(kind, route)
            if note:
                route.notes.append(note)
        targets.extend(found)
    targets.extend(t for t in campaign.fixed_targets if _serves(t, route) and t not in targets)
    return targets


def _serves(target: Target, route: Route) -> bool:
    """Whether a fixed target still holds office (a member of Congress: in today's data)."""
    if target.kind in route.held:
        return False
    in_data = target.dataset_id is None or target.dataset_id == route.members_dataset_id
    return target.active and in_data


def _active(kind: str, route: Route) -> list[Target]:
    query = sa.select(Target).where(
        _serving(kind, route.members_dataset_id), Target.state == route.state
    )
    district = {
        TargetKind.US_HOUSE: route.district,
        TargetKind.STATE_UPPER: route.upper_district,
        TargetKind.STATE_LOWER: route.lower_district,
    }.get(kind)
    if district is not None:
        query = query.where(Target.district == district)
    return list(db.session.scalars(query.order_by(Target.name)))


def _missing_note(kind: str, route: Route) -> str:
    place = state_name(route.state)
    words = {"place": place[:1].upper() + place[1:], "where": text.full_stop(place)}
    if kind == TargetKind.US_SENATE and route.state in NO_SENATORS:
        return gettext(
            "%(place)s has no U.S. senators; it is represented in Congress by a non-voting "
            "member of the House.",
            **words,
        )
    if kind == TargetKind.US_HOUSE and route.district:
        return gettext(
            "The House seat for %(district)s is vacant, so no representative receives this "
            "letter for now.",
            district=route.label,
        )
    if kind == TargetKind.STATE_LOWER and route.state in ONE_CHAMBER:
        return gettext("%(place)s has a one-chamber legislature, listed above.", **words)
    return gettext(NONE_ON_FILE[kind], **words)
