"""The debrief's dot plot: one row per category, each panelist a dot on the scale, the panel's
mean a tick; uploaded next to the summary (bot/debrief/publish.py), with alt text.

Drawn with matplotlib's object API (a Figure and its Agg canvas, no pyplot: pyplot keeps
global state, and summaries are drawn in several threads at once), as the calibration chart
is (bot/report/builders.py). `draw_dot_plot` knows nothing of debriefs: it draws labelled
points, so a second series (a re-rating's "after") can be drawn the same way.
"""

from __future__ import annotations

import hashlib
import io
import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.i18n import Translator

if TYPE_CHECKING:
    from bot.debrief.service import DebriefSummary

ALT_TEXT_LIMIT = 1000  # Slack's limit for an upload's alt text
MARKERS = "osD^vP*Xph<>"  # with the colours, twelve panelists stay apart in grey print too
ROW_SPREAD = 0.5  # the part of a row's height the dots of one category spread over
CATEGORY_LABEL_WRAP = 24  # characters a line, so long names leave room for the scale
SCALE_LABEL_WRAP = 10


class DotPoint(NamedTuple):
    """One dot: who (as the legend names them), which row, where on the scale; and where
    it was before the discussion when a re-rating moved it (drawn hollow, an arrow on)."""

    person: str
    category: str
    value: float
    before: float | None = None


@dataclass(frozen=True)
class DotPlotText:
    """The plot's words, in the reader's language."""

    title: str
    axis: str
    mean: str  # the legend's name for the panel mean's tick
    before: str = ""  # the legend's name for a hollow dot: before the discussion


def draw_dot_plot(points: Sequence[DotPoint], *, categories: Sequence[str],
                  scale: Sequence[tuple[int, str]], text: DotPlotText) -> bytes:
    """A PNG: `categories` top to bottom, the scale's points (value, label) along the
    bottom, each person's dots in their own colour and marker (a person's dots sit at the
    same height in every row, so equal values stay visible), and each category's mean of
    its dots as a vertical tick."""
    people = list(dict.fromkeys(p.person for p in points))
    rows = {name: len(categories) - 1 - i for i, name in enumerate(categories)}
    # Imported here, not at start: matplotlib adds ~0.4 s to every process start.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 1.8 + 0.6 * len(categories)), dpi=100)
    axes = figure.add_subplot()
    for n, person in enumerate(people):
        offset = (0.5 - (n + 0.5) / len(people)) * ROW_SPREAD  # the legend's order, top down
        mine = [p for p in points if p.person == person and p.category in rows]
        axes.scatter([p.value for p in mine], [rows[p.category] + offset for p in mine],
                     label=person, marker=MARKERS[n % len(MARKERS)], s=60, zorder=3,
                     color=f"C{n % 10}")
        _draw_moves(axes, [p for p in mine if p.before is not None], [
            rows[p.category] + offset for p in mine if p.before is not None],
            MARKERS[n % len(MARKERS)], f"C{n % 10}")
    if any(p.before is not None for p in points):
        axes.scatter([], [], marker="o", s=60, facecolors="none", edgecolors="grey",
                     label=text.before)
    labelled = False
    for name, row in rows.items():
        values = [p.value for p in points if p.category == name]
        if values:
            mean = sum(values) / len(values)
            axes.plot([mean, mean], [row - 0.35, row + 0.35], color="black", linewidth=2,
                      zorder=2, label=None if labelled else text.mean)
            labelled = True
    values = [v for v, _ in scale]
    axes.set_xlim(min(values) - 0.3, max(values) + 0.3)
    axes.set_xticks(values, [f"{v}\n{textwrap.fill(label, SCALE_LABEL_WRAP)}"
                             for v, label in scale], fontsize="small")
    axes.set_ylim(-0.6, len(categories) - 0.4)
    axes.set_yticks(list(rows.values()),
                    [textwrap.fill(name, CATEGORY_LABEL_WRAP) for name in rows])
    axes.grid(axis="x", linestyle=":", linewidth=0.8)
    axes.set_xlabel(text.axis)
    axes.set_title(text.title)
    if people:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                    frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _draw_moves(axes: Any, moved: Sequence[DotPoint], heights: Sequence[float], marker: str,
                colour: str) -> None:
    """Re-rated dots: hollow where they were before the discussion, an arrow to where they
    are now."""
    for point, height in zip(moved, heights, strict=True):
        assert point.before is not None
        axes.scatter([point.before], [height], marker=marker, s=60, zorder=3,
                     facecolors="none", edgecolors=colour)
        axes.annotate("", xy=(point.value, height), xytext=(point.before, height),
                      arrowprops={"arrowstyle": "->", "color": colour, "linewidth": 1},
                      zorder=2)


# ---------------------------------------------------------------------------- the debrief's


Names = Callable[[str], str]  # a rater key of the consensus -> a name people read


def summary_points(summary: DebriefSummary, name: Names) -> tuple[list[str], list[DotPoint]]:
    """The categories someone rated, in agenda order, and every rater's category score,
    raters in panel order (round by round in a loop)."""
    panel = {rater: n for n, rater in enumerate(summary.raters or summary.submitted)}
    categories: list[str] = []
    points: list[DotPoint] = []
    for category in summary.consensus.agenda:
        if not category.rater_scores:
            continue
        label = category_label(summary, category.category_id)
        categories.append(label)
        raters = sorted(category.rater_scores, key=lambda r: panel.get(r, len(panel)))
        moves = _moves(summary, category.category_id)
        points += [DotPoint(name(r), label, *moves.get(r, (category.rater_scores[r], None)))
                   for r in raters]
    return categories, points


def _moves(summary: DebriefSummary, category_id: str) -> dict[str, tuple[float, float]]:
    """Rater -> (score after, score before) where a re-rating after the discussion moved
    their category score."""
    if summary.before_after is None:
        return {}
    try:
        before, after = summary.before_after.category(category_id)
    except StopIteration:
        return {}
    return {rater: (score, before.rater_scores[rater])
            for rater, score in after.rater_scores.items()
            if rater in before.rater_scores and before.rater_scores[rater] != score}


def category_label(summary: DebriefSummary, category_id: str) -> str:
    try:
        return summary.question_set.category(category_id).name
    except KeyError:
        return summary.category_names.get(category_id, category_id)


def plot_text(t: Translator) -> DotPlotText:
    return DotPlotText(title=t._("Category scores per panelist"),
                       axis=t._("Category score: the mean of the panelist's ratings"),
                       mean=t._("panel mean"), before=t._("before the discussion"))


def summary_scale(summary: DebriefSummary) -> list[tuple[int, str]]:
    return [(point.value, point.label) for point in summary.question_set.scale]


def summary_chart(t: Translator, summary: DebriefSummary, name: Names) -> bytes | None:
    """The summary's dot plot; None when nobody rated anything."""
    categories, points = summary_points(summary, name)
    if not points:
        return None
    return draw_dot_plot(points, categories=categories, scale=summary_scale(summary),
                         text=plot_text(t))


def chart_digest(t: Translator, summary: DebriefSummary, name: Names) -> str:
    """What the plot shows, as a digest: equal digests draw equal plots."""
    categories, points = summary_points(summary, name)
    data = [t.language, categories, [list(p) for p in points], summary_scale(summary)]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def chart_alt_text(t: Translator, summary: DebriefSummary, name: Names) -> str:
    """The plot in words, for screen readers (Slack's alt text, at most 1000 characters)."""
    categories, points = summary_points(summary, name)
    rows = []
    for category in categories:
        dots = [p for p in points if p.category == category]
        mean = sum(p.value for p in dots) / len(dots)
        rows.append(t._("{category}: {scores} (mean {mean})", category=category,
                        scores=", ".join(_alt_dot(t, p) for p in dots),
                        mean=t.number(mean)))
    text = t._("Each panelist's category score on the {low}–{high} scale. {rows}",
               low=summary.question_set.scale_min, high=summary.question_set.scale_max,
               rows="; ".join(rows))
    return text if len(text) <= ALT_TEXT_LIMIT else text[:ALT_TEXT_LIMIT - 1] + "…"


def _alt_dot(t: Translator, point: DotPoint) -> str:
    if point.before is None:
        return f"{point.person} {t.number(point.value)}"
    return f"{point.person} {t.number(point.before)} → {t.number(point.value)}"
