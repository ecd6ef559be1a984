"""Kaplan–Meier figures: step curves with their 95 % bands, censoring ticks, and the
numbers at risk in a table under the plot.

Matplotlib is imported when a figure is drawn, never at import, and only through its
object API (``matplotlib.figure.Figure``): no ``pyplot``, no global backend switch, so a
web server can call it from any thread. SVG output carries no date and fixed element ids,
so the same analysis gives the same file.

>>> from kg.analysis.survival import Group, SurvivalAnalysis, kaplan_meier
>>> km = kaplan_meier([6, 9, 24, 30], [True, True, False, False])
>>> analysis = SurvivalAnalysis("overall", "surgery", None,
...                             (Group("all", 4, {}, {}, km),), None, (0.0, 12.0, 24.0))
>>> draw_survival(analysis, "svg")[:5]
b'<?xml'
"""

from __future__ import annotations

import io
from pathlib import Path

from kg.analysis.survival import SurvivalAnalysis
from kg.errors import InputError

__all__ = ["FORMATS", "MAX_TICKS", "draw_survival", "save_survival"]

#: the image formats a figure can be written in.
FORMATS = ("png", "svg")
#: censoring ticks are drawn for curves with at most this many censored patients.
MAX_TICKS = 300
_COLOURS = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6b4c9a", "#00798c", "#8c564b",
            "#7f7f7f")
_ENDPOINT_LABEL = {"overall": "Overall survival", "event-free": "Event-free survival",
                   "metastasis-free": "Metastasis-free survival"}


def draw_survival(analysis: SurvivalAnalysis, fmt: str = "png", title: str | None = None
                  ) -> bytes:
    """The figure of ``analysis`` as PNG or SVG bytes (censoring ticks on curves with at
    most :data:`MAX_TICKS` censored patients)."""
    if fmt not in FORMATS:
        raise InputError(f"cannot draw a figure as {fmt!r}",
                         hint="name the file .png or .svg")
    import matplotlib
    from matplotlib.figure import Figure

    groups = [g for g in analysis.groups if g.curve.n]
    rows = len(groups)
    figure = Figure(figsize=(7.5, 4.6 + 0.28 * rows), dpi=110)
    grid = figure.add_gridspec(2, 1, height_ratios=[4.2, 0.45 + 0.28 * rows], hspace=0.16)
    axes = figure.add_subplot(grid[0])
    table = figure.add_subplot(grid[1], sharex=axes)
    horizon = max([*analysis.risk_times, *(g.curve.max_time for g in groups)])
    for i, group in enumerate(groups):
        colour = _COLOURS[i % len(_COLOURS)]
        curve = group.curve
        xs = [0.0, *curve.times, curve.max_time]
        ys = [1.0, *curve.survival, curve.survival[-1] if curve.survival else 1.0]
        lows = [1.0, *curve.lower, curve.lower[-1] if curve.lower else 1.0]
        highs = [1.0, *curve.upper, curve.upper[-1] if curve.upper else 1.0]
        name = group.name if analysis.by else "all cases"
        axes.step(xs, ys, where="post", color=colour, linewidth=1.6,
                  label=f"{name} (n={curve.n}, events={curve.n_events})")
        axes.fill_between(xs, lows, highs, step="post", color=colour, alpha=0.15, linewidth=0)
        if len(curve.censored_times) <= MAX_TICKS:  # more would hide the curve
            ticks = list(curve.censored_times)
            axes.plot(ticks, [_at(curve.times, curve.survival, t) for t in ticks],
                      linestyle="none", marker="|", markersize=8, color=colour)
        for t in analysis.risk_times:
            table.text(t, rows - 1 - i, str(curve.at_risk_at(t)), ha="center", va="center",
                       fontsize=8, color=colour)
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlim(0, horizon * 1.02 if horizon else 12)
    axes.set_ylabel("Probability")
    origin = "index operation" if analysis.origin == "surgery" else "diagnosis"
    axes.set_title(title or f"{_ENDPOINT_LABEL[analysis.endpoint]} from the {origin}"
                   + (f", by {analysis.by}" if analysis.by else ""), fontsize=11)
    if analysis.logrank is not None:
        axes.text(0.99, 0.97, f"log-rank p = {analysis.logrank.p:.3g}",
                  transform=axes.transAxes, ha="right", va="top", fontsize=9)
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    axes.tick_params(labelbottom=False)
    axes.grid(alpha=0.25)
    table.set_ylim(-0.6, rows - 0.4)
    table.set_yticks(range(rows))
    table.set_yticklabels([g.name if analysis.by else "at risk" for g in reversed(groups)],
                          fontsize=8)
    table.set_xticks(analysis.risk_times)
    table.set_xlabel("Months")
    table.set_title("Number at risk", fontsize=8, loc="left")
    for side in ("top", "right", "left"):
        table.spines[side].set_visible(False)
    widest = max((len(str(g.curve.n)) for g in groups), default=1)
    table.tick_params(axis="y", length=0, pad=4 + 3.5 * widest)  # clear of the counts at 0
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "vlmskg", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=fmt, bbox_inches="tight",
                       metadata={"Date": None} if fmt == "svg" else {"Software": None})
    return buffer.getvalue()


def _at(times: tuple[float, ...], survival: tuple[float, ...], t: float) -> float:
    value = 1.0
    for time, s in zip(times, survival, strict=True):
        if time <= t:
            value = s
    return value


def save_survival(analysis: SurvivalAnalysis, path: Path | str, title: str | None = None
                  ) -> Path:
    """Write the figure to ``path`` (.png or .svg), through a temporary file."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"cannot tell the image format of {path.name!r}", file=str(path),
                         hint="name the file .png or .svg")
    data = draw_survival(analysis, fmt, title)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write the figure: {err.strerror or err}", file=str(path),
                         hint="check the folder exists and is writable") from err
    return path
