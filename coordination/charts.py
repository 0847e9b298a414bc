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
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from pygal.style import Style

from evaluations import selectors as evaluation_selectors
from matching.models import Cycle, Role
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
    # Solid bars: pygal's default see-through fill would lighten them below the contrast above.
    opacity="1",
    opacity_hover="1",
)


# Two roles side by side: purple and a dark green, white values readable on both (contrast ≥ 4.5:1).
EVALUATION_STYLE = Style(**{**STYLE.to_dict(), "colors": ("#6f2c91", "#1e6b52"), "value_colors": ("#ffffff",) * 2})


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


def _chart_options(title: str, **options) -> dict:
    return {
        "title": title,
        "style": STYLE,
        "show_legend": False,
        "print_values": True,
        "js": [],
        "disable_xml_declaration": True,
        "width": 640,
        "height": 360,
        "no_data_text": _("Nothing to show yet"),
        **options,
    }


def _svg(chart) -> str:
    # pygal writes its configuration as an inline <script> even without its JavaScript: an image runs
    # no script anyway, so it is dropped and the file holds only the picture.
    return re.sub(r"<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)


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
    chart = kind(**_chart_options(title, no_data_text=no_data_text, x_label_rotation=0 if horizontal else 30))
    chart.x_labels = [label for label, _value in points]
    chart.add(title, [value for _label, value in points])
    return _svg(chart)


def _summary(title: str, rows: list[Row]) -> str:
    shown = [f"{row.label} {row.value}" for row in rows if row.value != str(TOO_FEW)]
    hidden = sum(1 for row in rows if row.value == str(TOO_FEW))
    if not shown:
        sentence = _("%(title)s: no figure is large enough to show.") % {"title": title}
    else:
        sentence = _("%(title)s: %(figures)s.") % {"title": title, "figures": ", ".join(shown)}
    if hidden and shown:
        sentence += " " + ngettext(
            "%(count)s figure is too small to show.", "%(count)s figures are too small to show.", hidden
        ) % {"count": hidden}
    return sentence


def _evaluation_summary(title: str, means: list[report.Line]) -> str:
    """One sentence for the alt text: how many averages, their range, how many are too few; the table
    beside the picture has each question and role."""
    shown = sorted(line.values[report.CURRENT] for line in means if line.shown.get(report.CURRENT))
    hidden = len(means) - len(shown)
    if not shown:
        return _("%(title)s: no average rests on enough responses to show.") % {"title": title}
    sentence = ngettext(
        "%(title)s: %(count)s average shown, %(low)s.",
        "%(title)s: %(count)s averages shown, from %(low)s to %(high)s.",
        len(shown),
    ) % {"title": title, "count": len(shown), "low": _mean(shown[0]), "high": _mean(shown[-1])}
    if hidden:
        sentence += " " + ngettext(
            "%(count)s average rests on too few responses to show.",
            "%(count)s averages rest on too few responses to show.",
            hidden,
        ) % {"count": hidden}
    return sentence + " " + _("The table beside it gives each question and role.")


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


def _mean(value: float) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if (get_language() or "nl").startswith("nl") else text


def evaluation_chart(lines: list[report.Line], *, round_name: str = "") -> Chart:
    """The year evaluation's mean per scale question (1 to 5), one bar per role: the year report's
    evaluation lines of the current cycle, so the evaluations' thresholds and `disclose` have decided
    already. A mean that is not shown is no bar (pygal draws nothing for None) and reads "te weinig"
    in the table; open answers are never part of it (the results are counted without them)."""
    title = _("Year evaluation: average per question (1 to 5)")
    means = [line for line in lines if line.kind == "mean"]
    # The table: the responses per role too (not drawn), so a hidden role still says why.
    rows = [Row(line.label[:1].upper() + line.label[1:], line.display(report.CURRENT)) for line in lines]
    # pygal draws a horizontal chart from the bottom up: reversed, the first question is on top.
    questions = list(dict.fromkeys(line.question for line in means))[::-1]
    roles = list(dict.fromkeys(line.role for line in means))
    by_key = {(line.question, line.role): line for line in means}
    # The whole question is in the table beside the picture; the picture shortens a long one.
    labels = tuple(question if len(question) <= 48 else question[:46].rstrip() + "…" for question in questions)
    series = []
    any_shown = False
    for role in roles:
        values = []
        for question in questions:
            line = by_key.get((question, role))
            shown = bool(line and line.shown.get(report.CURRENT) and line.values.get(report.CURRENT) is not None)
            values.append(line.values[report.CURRENT] if shown else None)
            any_shown = any_shown or shown
        series.append((str(Role(role).label).capitalize(), tuple(values)))
    svg = _drawn_evaluation(
        str(title),
        labels,
        tuple(series) if any_shown else None,  # nothing to draw: pygal's "no data" picture, without the questions
        len(roles),
        (get_language() or "nl").startswith("nl"),  # how _mean writes a value
        _("Nothing to show yet"),
    )
    if rows:
        summary = _evaluation_summary(title, means)
    elif round_name:
        summary = _("%(title)s: no results of %(round)s to show yet.") % {"title": title, "round": round_name}
    else:
        summary = _("%(title)s: no evaluation round with results yet.") % {"title": title}
    return Chart(key="evaluation", title=title, summary=summary, rows=rows, svg=svg)


@functools.lru_cache(maxsize=64)
def _drawn_evaluation(
    title: str, labels: tuple, series: tuple | None, role_count: int, dutch: bool, no_data_text: str
) -> str:
    """The evaluation chart's SVG, drawn once per picture as `_drawn` (every input that shapes it is an argument)."""
    if series is None:
        return _svg(pygal.HorizontalBar(**_chart_options(title, no_data_text=no_data_text)))
    chart = pygal.HorizontalBar(
        **_chart_options(
            title,
            no_data_text=no_data_text,
            style=EVALUATION_STYLE,
            width=800,
            height=max(360, 130 + 30 * len(labels) * max(1, role_count)),
            show_legend=role_count > 1,
            legend_at_bottom=True,
            legend_at_bottom_columns=max(1, role_count),
            truncate_legend=-1,
            range=(0, 5),
            y_labels=[{"label": str(n), "value": n} for n in range(6)],
            value_formatter=_mean,  # drawn in the language of the key: ``dutch`` tells the decimal comma
        )
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _svg(chart)


def cockpit_evaluation_chart(rounds: list) -> Chart:
    """The cockpit's evaluation chart: the cycle's year round (its final evaluation, else its latest),
    counted as the year report counts it; three queries once the round has closed, none before."""
    round_of_year = report.year_round(rounds)
    results = evaluation_selectors.round_results(round=round_of_year, counts_only=True) if round_of_year else None
    return evaluation_chart(
        report.evaluation_lines({report.CURRENT: results}), round_name=round_of_year.name if round_of_year else ""
    )


def for_cockpit(*, cycle: Cycle | None, cycles: list[Cycle], funnel_extra: dict, rounds: list) -> list[Chart]:
    """The cockpit's charts for its cycle: four queries (the report's funnel three, meetings one), and
    three for the evaluation once its year round has closed."""
    if cycle is None:
        return []
    year = report.build(cycle=cycle, cycles=cycles, evaluations=False, median=False)
    return [
        funnel_chart(year),
        pairs_by_state_chart(funnel_extra),
        meetings_per_month_chart(cycle),
        cockpit_evaluation_chart(rounds),
    ]


def for_year_report(year: report.YearReport) -> list[Chart]:
    """The year report's charts: its funnel and its evaluation, from its own figures (no query)."""
    return [funnel_chart(year), evaluation_chart(year.evaluation)]
