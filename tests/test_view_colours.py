"""WCAG 2.2 contrast of the colours the researcher views use (computed from the CSS and the scripts).

Text colours need 4.5:1 on the backgrounds they sit on (1.4.3); chart marks that carry meaning
(timeline bars, treaty-status colours) need 3:1 against the white chart background (1.4.11). The
browser tests check the computed colours of every text node on each page as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migkg.web.pictures import LEVEL_COLOURS

STATIC = Path(__file__).resolve().parents[1] / "src" / "migkg" / "web" / "static"
WHITE, PANEL, TAG = "#ffffff", "#f7f9fc", "#eef2f8"


def luminance(colour: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (WCAG 2.2 definition)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def site_variables() -> dict[str, str]:
    css = (STATIC / "site.css").read_text()
    return dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{6})", css))


@pytest.mark.parametrize("name", ["fg", "muted", "accent"])
@pytest.mark.parametrize("background", [WHITE, PANEL, TAG])
def test_text_colours_on_page_backgrounds(name: str, background: str) -> None:
    assert contrast(site_variables()[name], background) >= 4.5


def css_rules(name: str) -> list[tuple[str, str]]:
    """``(selector, declarations)`` of a stylesheet."""
    css = re.sub(r"/\*.*?\*/", "", (STATIC / name).read_text(), flags=re.S)
    return re.findall(r"([^{}]+)\{([^}]*)\}", css)


@pytest.mark.parametrize("sheet", ["views.css", "site.css"])
def test_text_colours_of_each_rule(sheet: str) -> None:
    checked = 0
    for selector, declarations in css_rules(sheet):
        for prop, colour in re.findall(r"(?<![-\w])(color|fill):\s*(#[0-9a-fA-F]{3,6})\b", declarations):
            if prop == "fill" and not re.search(r"tick|label", selector):
                continue  # a chart mark, checked at 3:1 below
            colour = "#" + "".join(ch * 2 for ch in colour[1:]) if len(colour) == 4 else colour
            background = site_variables()["accent"] if colour.lower() == "#ffffff" else WHITE
            assert contrast(colour, background) >= 4.5, (sheet, selector.strip(), colour)
            checked += 1
    assert checked, f"{sheet} names no text colour"


@pytest.mark.parametrize("level", sorted(LEVEL_COLOURS))
def test_timeline_bar_colours(level: str) -> None:
    assert contrast(LEVEL_COLOURS[level], WHITE) >= 3


def map_palette(name: str) -> dict[str, str]:
    script = (STATIC / "map.js").read_text()
    block = re.search(name + r" = \{(.*?)\};", script, re.S)
    assert block is not None
    return dict(re.findall(r'"([\w-]+)":\s*"(#[0-9a-fA-F]{6})"', block.group(1)))


@pytest.mark.parametrize("kind", ["ratification", "accession", "ratification-or-accession", "signature", "party"])
def test_treaty_status_colours(kind: str) -> None:
    assert contrast(map_palette("STATUS")[kind], WHITE) >= 3
