"""CWC member office codes: H + state + two-digit district, S + state + 0 + Senate class.

House: HCA11 is California's 11th district; at-large seats and delegates are district 00
(HAK00, HDC00). Senate: SCA03 is California's class 3 seat. docs/cwc.md gives the sources.
"""

from __future__ import annotations

import re

OFFICE_CODE = re.compile(r"^(H[A-Z]{2}\d{2}|S[A-Z]{2}0[123])$")


def house_office(state: str, district: int) -> str:
    """The House office code for a state (or territory) and district number (0 at-large)."""
    if not 0 <= district <= 99:
        raise ValueError(f"district out of range: {district}")
    return f"H{state.upper()}{district:02d}"


def senate_office(state: str, senate_class: int) -> str:
    """The Senate office code for a state's seat of the given class (1, 2 or 3)."""
    if senate_class not in (1, 2, 3):
        raise ValueError(f"no Senate class {senate_class}")
    return f"S{state.upper()}0{senate_class}"
