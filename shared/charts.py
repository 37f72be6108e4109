"""Charts as inline SVG (监测简报, 年度报告): one renderer on matplotlib's object API.

A ``Figure`` of its own per chart, no pyplot, so no figure is kept in a global registry. Text stays ``<text>``
(``svg.fonttype`` none), so the reader's fonts draw Chinese labels even where the server has no CJK font; the same
data gives the same bytes (stable ETags); matplotlib's ``*`` style rule is scoped to the chart, so the SVG can be
inlined in a page without restyling it.
"""

from __future__ import annotations

import functools
import io
import threading
import warnings
from collections.abc import Sequence
from html import escape

CHART_CLASS = "greenlaw-chart"
CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei"]
# rc_context changes matplotlib's process-wide settings for the duration of a render: one render at a time.
_LOCK = threading.Lock()


# The same data gives the same bytes, so a chart drawn again (a bulletin page or an annual report asked for again) is
# taken from here: matplotlib's SVG output costs tens of ms of CPU a chart. Charts are tens of KB each.
CACHED_CHARTS = 64


def bar_chart_svg(labels: Sequence[str], values: Sequence[float], *, ylabel: str, title: str | None = None) -> str:
    """A vertical bar chart as an SVG string; with a ``title``, drawn above the bars and read out (``role="img"``)."""
    return _bar_chart_svg(tuple(labels), tuple(values), ylabel, title)


@functools.lru_cache(maxsize=CACHED_CHARTS)
def _bar_chart_svg(labels: tuple[str, ...], values: tuple[float, ...], ylabel: str, title: str | None) -> str:
    # matplotlib is imported at the first chart, not with this module: ≈ 0.5 s of CPU that every process importing
    # the services (each `greenlaw` command, each service) would otherwise pay at start, though most draw none.
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    settings = matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "greenlaw",  # the same data gives the same SVG (stable ETags, diffs)
            "text.parse_math": False,  # labels are data: a "$" in a name is a dollar sign, not mathtext
            # Named in the SVG's font-family, so readers' CJK fonts are chosen for the labels.
            "font.sans-serif": ["DejaVu Sans", *CJK_FONTS],
        }
    )
    with _LOCK, settings, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings when no CJK font is installed
        figure = Figure(figsize=(max(4.0, 0.8 * len(labels) + 2), 3.2))
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        axes.bar(range(len(values)), list(values), color="#3b7dd8")
        axes.set_xticks(range(len(labels)), list(labels))
        axes.set_ylabel(ylabel)
        axes.grid(axis="y", alpha=0.3)
        if title:
            axes.set_title(title)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _inline(buffer.getvalue(), title)


def _inline(svg: str, title: str | None = None) -> str:
    svg = svg[svg.index("<svg") :]
    label = f' role="img" aria-label="{escape(title, quote=True)}"' if title else ""
    # matplotlib's own rule is `*{stroke-linejoin:…}`: inline in a page it would reach every element of the page.
    svg = svg.replace("<svg ", f'<svg class="{CHART_CLASS}"{label} ', 1)
    return svg.replace('<style type="text/css">*{', f'<style type="text/css">svg.{CHART_CLASS} *{{', 1)


def effluent_chart_svg(
    labels: Sequence[str],
    means: Sequence[float | None],
    maxima: Sequence[float | None],
    limits: Sequence[float | None],
    *,
    ylabel: str,
    title: str,
    legend: tuple[str, str, str] = ("月均值", "月最大值", "许可限值"),
) -> str:
    """An effluent chart in the manner of US EPA ECHO: per period the mean and the maximum of the measured values
    against the permit limit in force (a step line); maxima above the limit drawn in red. A gap (None) is a period
    without data, or without a limit."""
    return _effluent_chart_svg(tuple(labels), tuple(means), tuple(maxima), tuple(limits), ylabel, title, legend)


@functools.lru_cache(maxsize=CACHED_CHARTS)
def _effluent_chart_svg(
    labels: tuple[str, ...],
    means: tuple[float | None, ...],
    maxima: tuple[float | None, ...],
    limits: tuple[float | None, ...],
    ylabel: str,
    title: str,
    legend: tuple[str, str, str],
) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    settings = matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "greenlaw",
            "text.parse_math": False,  # names and units are staff text: "$" is not mathtext
            "font.sans-serif": ["DejaVu Sans", *CJK_FONTS],
        }
    )
    nan = float("nan")
    xs = list(range(len(labels)))
    with _LOCK, settings, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure = Figure(figsize=(max(5.0, 0.55 * len(labels) + 2), 3.4))
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        axes.plot(xs, [nan if v is None else v for v in means], marker="o", color="#3b7dd8", label=legend[0])
        axes.plot(xs, [nan if v is None else v for v in maxima], marker="^", linestyle="none", color="#7a7a7a",
                  label=legend[1])  # fmt: skip
        axes.step(xs, [nan if v is None else v for v in limits], where="mid", color="#c0392b", linestyle="--",
                  label=legend[2])  # fmt: skip
        over = [(x, m) for x, m, lim in zip(xs, maxima, limits, strict=True) if m is not None and lim and m > lim]
        if over:
            axes.plot([x for x, _ in over], [m for _, m in over], marker="^", linestyle="none", color="#c0392b")
        axes.set_xticks(xs, list(labels))
        axes.set_ylabel(ylabel)
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", alpha=0.3)
        # Below the plot: inside it the legend would hide a month's marker.
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize="small", frameon=False)
        axes.set_title(title)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _inline(buffer.getvalue(), title)
