"""A campaign's preview image for link cards (Open Graph, Twitter): its title and live
count, drawn server-side as a 1200x630 PNG.

Rendering takes tens of milliseconds, so each process keeps the images it drew, keyed by
what they show: a new count or title draws a new one, and caches in front keep it for a
count interval like the page (the view is public). The image is drawn in the reader's
language (the title and the word "signatures"), and the page cache keeps one per language.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

from flask_babel import format_number, get_translations
from PIL import Image, ImageDraw, ImageFont

from app.services.campaigns.languages import CampaignInLanguage

WIDTH, HEIGHT = 1200, 630
_INK, _PAPER, _ACCENT = (26, 26, 26), (250, 248, 242), (31, 95, 139)


def preview_png(campaign: CampaignInLanguage, site_name: str) -> bytes:
    """The campaign's preview image as PNG bytes, in the language it is read in."""
    count = campaign.signature_count
    # Flask-Babel's ngettext fills %(num)s with the bare count: this one is grouped.
    plural = get_translations().ngettext("%(num)s signature", "%(num)s signatures", count)
    signatures = plural % {"num": format_number(count)}
    return _draw(campaign.title, signatures, count, campaign.goal, site_name)


@lru_cache(maxsize=64)
def _draw(title: str, signatures: str, count: int, goal: int, site_name: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 16), fill=_ACCENT)
    lines = textwrap.wrap(title, width=30)[:4]
    y = 80
    for line in lines:
        draw.text((72, y), line, font=_font(64), fill=_INK)
        y += 80
    draw.text((72, HEIGHT - 190), signatures, font=_font(56), fill=_ACCENT)
    if goal > 0:
        filled = min(1.0, count / goal)
        draw.rectangle((72, HEIGHT - 110, WIDTH - 72, HEIGHT - 86), outline=_ACCENT, width=3)
        draw.rectangle(
            (72, HEIGHT - 110, 72 + int((WIDTH - 144) * filled), HEIGHT - 86), fill=_ACCENT
        )
    draw.text((72, HEIGHT - 70), site_name, font=_font(32), fill=_INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:  # no DejaVu on this machine: Pillow's own scalable font
        return ImageFont.load_default(size)
