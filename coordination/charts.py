"""Charts on the cockpit (issue 27 §1): server-rendered SVG, each with a text alternative.

Drawn with pygal (a maintained SVG charting library, no JavaScript needed). pygal writes a <style>
block inside the SVG, which the strict Content Security Policy would block inline; so the page embeds
each chart as an ``<img src="data:image/svg+xml;base64,…">`` (``img-src`` allows ``data:``), where the
browser renders the SVG as a picture, its own styles included, and runs nothing.

Every figure comes from the owning app's selectors and goes through ``coordination.suppression``
first: a suppressed figure is left out of the picture and reads "te weinig" in the table beside it.
"""

import base64
import functools
import re
from dataclasses import dataclass, field

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pygal.style import Style

from matching.models import Cycle
from meetings import selectors as meetings_selectors

from . import report
from .suppression import TOO_FEW, Disclosure

# The programme's colours, readable on white (contrast ≥ 4.5:1 for the text inside the SVG).
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#595959",
    colors=("#6f2c91",),
    value_colors=("#ffffff",),
    font_family="system-ui, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
)


@dataclass
class Row:
    label: str
    value: str  # the number, or "te weinig"


@dataclass
class Chart:
    key: str
    title: str
    summary: str  # the alt text: one sentence
    rows: list[Row] = field(default_factory=list)
    svg: str = ""

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _render(title: str, points: list[tuple[str, int]], *, horizontal: bool) -> str:
    """The SVG of a bar chart with only the shown figures; no script, no external file.

    Drawn once per picture: the same title, figures and language give the same SVG, so a page asked
    again with figures that did not change reuses the last drawing (pygal takes milliseconds a chart).
    """
    drawn = tuple((str(label), value) for label, value in points)
    return _drawn(str(title), drawn, horizontal, _("Nothing to show yet"))


@functools.lru_cache(maxsize=64)
def _drawn(title: str, points: tuple[tuple[str, int], ...], horizontal: bool, no_data_text: str) -> str:
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(
        title=title,
        style=STYLE,
        show_legend=False,
        print_values=True,
        js=[],
        disable_xml_declaration=True,
        width=640,
        height=360,
        no_data_text=no_data_text,
        x_label_rotation=0 if horizontal else 30,
    )
    chart.x_labels = [label for label, _value in points]
    chart.add(title, [value for _label, value in points])
    # pygal writes its configuration as an inline <script> even without its JavaScript: an image runs
    # no script anyway, so it is dropped and the file holds only the picture.
    return re.sub(r"<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)


def _summary(title: str, rows: list[Row]) -> str:
    shown = [f"{row.label} {row.value}" for row in rows if row.value != str(TOO_FEW)]
    hidden = sum(1 for row in rows if row.value == str(TOO_FEW))
    if not shown:
        sentence = _("%(title)s: no figure is large enough to show.") % {"title": title}
    else:
        sentence = _("%(title)s: %(figures)s.") % {"title": title, "figures": ", ".join(shown)}
    if hidden and shown:
        sentence += " " + _("%(count)s figures are too small to show.") % {"count": hidden}
    return sentence


def _chart(key: str, title: str, items: list[tuple[str, int, bool]], *, horizontal: bool) -> Chart:
    """items: (label, value, may it be shown)."""
    rows = [Row(label, str(value) if shown else str(TOO_FEW)) for label, value, shown in items]
    points = [(label, value) for label, value, shown in items if shown]
    return Chart(
        key=key,
        title=title,
        summary=_summary(title, rows),
        rows=rows,
        svg=_render(title, points, horizontal=horizontal),
    )


def funnel_chart(year: report.YearReport) -> Chart:
    """The funnel of the cycle, from the year report's figures (already through `disclose`)."""
    lines = year.sections[0][1]
    items = [
        (
            line.label[:1].upper() + line.label[1:],
            line.values.get(report.CURRENT) or 0,
            bool(line.shown.get(report.CURRENT)),
        )
        for line in lines
    ]
    return _chart("funnel", _("From registration to renewal"), items, horizontal=True)


def pairs_by_state_chart(extra: dict) -> Chart:
    """The cycle's pairs per state, from the cockpit's own count of them (no extra query); the parts
    and their total are decided together, so no part can be worked out from the others (complement)."""
    total = extra.get("matches", 0)
    parts = {
        "active": (_("Active"), extra.get("active", 0)),
        "completed": (_("Completed"), extra.get("completed", 0)),
        "ended_early": (_("Ended early"), extra.get("ended_early", 0)),
    }
    # Proposed or matched, not started yet: whatever is left of the total.
    parts["not_started"] = (_("Matched, not started yet"), max(0, total - sum(n for _l, n in parts.values())))
    disclosure = Disclosure()
    for key, (_label, count) in parts.items():
        disclosure.atom(key, count)
        disclosure.count(key, [key])
    disclosure.count("all", list(parts))
    decisions = disclosure.decide()
    items = [(label, count, decisions[key]) for key, (label, count) in parts.items()]
    items.append((_("All pairs"), total, decisions["all"]))
    return _chart("pairs", _("Pairs by state"), items, horizontal=True)


def meetings_per_month_chart(cycle: Cycle) -> Chart:
    """Meetings held per month; a month with fewer than k meetings reads "te weinig"."""
    months = meetings_selectors.held_meetings_per_month(cycle=cycle)
    disclosure = Disclosure()
    for month, count in months:
        disclosure.single(month.isoformat(), count)
    decisions = disclosure.decide()
    items = [(date_format(month, "M Y"), count, decisions[month.isoformat()]) for month, count in months]
    return _chart("meetings", _("Meetings held per month"), items, horizontal=False)


def for_cockpit(*, cycle: Cycle | None, cycles: list[Cycle], funnel_extra: dict) -> list[Chart]:
    """The cockpit's charts for its cycle: four queries (the report's funnel three, meetings one)."""
    if cycle is None:
        return []
    year = report.build(cycle=cycle, cycles=cycles, evaluations=False)
    return [funnel_chart(year), pairs_by_state_chart(funnel_extra), meetings_per_month_chart(cycle)]
