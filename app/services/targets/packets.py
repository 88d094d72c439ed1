"""Printable packets: a representative's letters from one campaign, and the petition with
its constituent signers, as PDFs.

For US offices' staff, so in the default language (English) whoever asks for them; the
words go through the catalog all the same, and the letters are as their writers wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from pathlib import Path

from flask_babel import force_locale, format_date, format_decimal, gettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.clock import utcnow
from app.i18n import DEFAULT_LOCALE
from app.models import Campaign, Letter, Target
from app.services.targets.access import district_for, writer_address
from app.services.targets.petition import Signer

# A Unicode TrueType font prints any writer's name; the PDF core fonts know only Latin-1.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)


def _new_pdf(title: str) -> tuple[FPDF, Callable[[str], str]]:
    """A PDF with a font for any text, and how to make text printable in that font."""
    pdf = FPDF(format="Letter")
    pdf.set_title(title)
    pdf.set_creator("Chorus")
    pdf.set_auto_page_break(auto=True, margin=18)
    font = next((path for path in UNICODE_FONTS if path.is_file()), None)
    if font:
        pdf.add_font("Body", "", str(font))
        pdf.set_font("Body", size=11)
        return pdf, str
    # Without a Unicode font on this machine, print what Latin-1 can and mark the rest.
    pdf.set_font("Helvetica", size=11)
    return pdf, lambda text: text.encode("latin-1", "replace").decode("latin-1")


def _writer(pdf: FPDF, printable: Callable[[str], str]) -> Callable[..., None]:
    def line(text: str, size: int = 11, height: float = 6) -> None:
        pdf.set_font_size(size)
        pdf.multi_cell(0, height, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    return line


def _offices(target: Target, line: Callable[..., None]) -> None:
    if not target.offices:
        return
    # Whoever carries the printed packet needs to know where to take it.
    line(gettext("District offices"), size=12, height=7)
    for office in target.offices:
        parts = [office["building"], office["address"], office["suite"], office["city"]]
        place = ", ".join(filter(None, parts)) + f", {office['state']} {office['zip']}"
        phone = office["phone"] or gettext("not published")
        line(gettext("%(place)s; phone %(phone)s", place=place, phone=phone))


def _addressee(target: Target) -> str:
    return " ".join(filter(None, [target.title, target.name]))


def _for_staff(make: Callable[..., bytes]) -> Callable[..., bytes]:
    """Make the packet in the default language, whoever asks for it: US offices' staff."""

    @wraps(make)
    def made(*args, **kwargs) -> bytes:
        with force_locale(DEFAULT_LOCALE):
            return make(*args, **kwargs)

    return made


@_for_staff
def letters_pdf(
    target: Target,
    campaign: Campaign,
    letters: Iterable[tuple[Letter, datetime | None]],
) -> bytes:
    """A cover page, then one page per letter with the writer's name, ZIP and district."""
    pdf, printable = _new_pdf(
        gettext("Letters to %(name)s: %(title)s", name=target.name, title=campaign.title)
    )
    line = _writer(pdf, printable)
    pdf.add_page()
    line(gettext("Letters to %(name)s", name=_addressee(target)), size=18, height=9)
    line(gettext("Campaign: %(title)s", title=campaign.title), size=13, height=8)
    line(gettext("Prepared %(date)s by Chorus.", date=format_date(utcnow(), "long")))
    line(
        gettext(
            "Each letter was confirmed by its writer from their own email address. The ZIP "
            "code and district shown are the ones the writer gave."
        )
    )
    if target.offices:
        pdf.ln(4)
    _offices(target, line)
    for letter, sent_at in letters:
        signature = letter.signature
        pdf.add_page()
        line(signature.name, size=13, height=8)
        district = district_for(target, letter)
        line(gettext("ZIP %(zip)s   District %(district)s", zip=signature.zip, district=district))
        if address := writer_address(target, letter):
            line(address)
        if sent_at:
            line(gettext("Sent %(date)s", date=format_date(sent_at, "long")))
        pdf.ln(4)
        line(letter.subject, size=12, height=7)
        pdf.ln(2)
        line(letter.body)
    return bytes(pdf.output())


@_for_staff
def petition_pdf(
    target: Target,
    campaign: Campaign,
    sponsor: str,
    total: int,
    constituents: int | None,
    signers: Iterable[Signer],
) -> bytes:
    """The petition's text and total, then (for a representative) their constituent signers
    with name, ZIP and district, and email only where the signer agreed to a reply."""
    pdf, printable = _new_pdf(
        gettext("Petition to %(name)s: %(title)s", name=target.name, title=campaign.title)
    )
    line = _writer(pdf, printable)
    pdf.add_page()
    line(gettext("Petition to %(name)s", name=_addressee(target)), size=18, height=9)
    line(gettext("Campaign: %(title)s", title=campaign.title), size=13, height=8)
    date = format_date(utcnow(), "long")
    line(gettext("Run by %(sponsor)s. Prepared %(date)s by Chorus.", sponsor=sponsor, date=date))
    pdf.ln(4)
    line(campaign.petition, size=12, height=7)
    pdf.ln(4)
    line(gettext("Signatures in total: %(num)s", num=format_decimal(total)), size=13, height=8)
    if constituents is not None:
        line(
            gettext("Signatures from your constituents: %(num)s", num=format_decimal(constituents)),
            size=13,
            height=8,
        )
    line(
        gettext(
            "Every signature was confirmed by its signer from their own email address. The ZIP "
            "code and district are the ones the signer gave."
        )
    )
    if target.offices:
        pdf.ln(2)
    _offices(target, line)
    if constituents:
        pdf.add_page()
        line(gettext("Constituents who signed"), size=13, height=8)
        widths = (70, 20, 35, 0)
        pdf.set_font_size(10)
        for signer in signers:
            cells = (signer.name, signer.zip, signer.district, signer.email)
            for width, cell in zip(widths, cells, strict=True):
                pdf.cell(width, 6, printable(cell))
            pdf.ln(6)
    return bytes(pdf.output())
