"""The place profile as a radar chart: the four PPS attributes and the perceived-safety index.

Drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`, never ``pyplot``), so it
runs inside QGIS without touching its Qt event loop, and in a headless CLI without a display.

- The 0-100 scale carries the bands as rings (red, yellow, green), so a score reads against
  them without a legend.
- An axis without data is dashed and labelled "no data": its score is not drawn, and the line
  is not drawn through it (a missing score is never shown as 0, nor interpolated across).

:func:`render_radar` gives PNG or SVG bytes (for the HTML page and the QGIS layout's picture
item); :func:`draw_radar` draws into an existing polar axes (the PDF's summary page).
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Optional, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from amp_qgis_plugin.core.report.content import ProfileScore, ReportContent

#: Colours of the bands (the frontage style's red, yellow and green).
BAND_COLOURS = {"red": "#d7191c", "yellow": "#fdae61", "green": "#1a9641"}
#: Light tints of the bands for the rings behind the profile.
BAND_TINTS = {"red": "#fbe3e3", "yellow": "#fff1dc", "green": "#e1f2e4"}
#: Colour of the profile line and fill.
PROFILE_COLOUR = "#1f4e79"
#: Grey of axes without data.
NO_DATA_COLOUR = "#8c8c8c"


def _wrap(name: str, width: int = 16) -> str:
    """Break a long attribute name over lines of about ``width`` characters."""
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)


def draw_radar(ax: "Axes", items: Sequence["ProfileScore"],
               bands: Sequence[Tuple[str, str, float]], *, no_data: str = "no data",
               label_size: float = 8.0) -> None:
    """Draw the profile into the polar axes ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
        An axes with ``projection="polar"``.
    items : sequence of ProfileScore
        The axes of the chart, clockwise from the top (the four attributes, then the index).
    bands : sequence of (str, str, float)
        ``(band id, name, lowest score)``, rising (for the rings).
    no_data : str
        The words for an axis without a score.
    label_size : float
        Font size of the axis labels, in points.
    """
    n = len(items)
    angles = [(math.pi / 2 - 2 * math.pi * i / n) % (2 * math.pi) for i in range(n)]
    ax.set_theta_offset(0)
    ax.set_ylim(0, 100)
    lows = [low for _, _, low in bands] + [100.0]
    steps = 72
    ring_t = [2 * math.pi * k / steps for k in range(steps + 1)]
    for (band, _, low), high in zip(bands, lows[1:]):
        ax.fill_between(ring_t, low, high, color=BAND_TINTS.get(band, "#f0f0f0"), zorder=0,
                        linewidth=0)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels(["20", "40", "60", "80", "100"], fontsize=label_size - 2, color="#555555")
    ax.set_rlabel_position(90 - 360 / n / 2)
    ax.set_xticks(angles)
    ax.set_xticklabels([""] * n)
    ax.grid(color="#bbbbbb", linewidth=0.5)
    ax.spines["polar"].set_color("#999999")
    for i, item in enumerate(items):
        theta = angles[i]
        if item.score is None:
            ax.plot([theta, theta], [0, 100], color=NO_DATA_COLOUR, linestyle=(0, (3, 3)),
                    linewidth=1.0, zorder=2)
    # the profile: filled wedges and lines only between neighbouring axes that both have data
    for i in range(n):
        j = (i + 1) % n
        a, b = items[i], items[j]
        if a.score is None or b.score is None:
            continue
        t0, t1 = angles[i], angles[j]
        if t1 > t0:  # clockwise: the next axis has the smaller angle, across 0 add a turn
            t0 += 2 * math.pi
        ax.fill([t0, t0, t1], [0, a.score, b.score], color=PROFILE_COLOUR, alpha=0.18,
                linewidth=0, zorder=3)
        ax.plot([t0, t1], [a.score, b.score], color=PROFILE_COLOUR, linewidth=1.8, zorder=4)
    ax.set_xlim(0, 2 * math.pi)
    ax.set_ylim(0, 100)
    for i, item in enumerate(items):
        theta = angles[i]
        if item.score is not None:
            ax.plot([theta], [item.score], marker="o", markersize=6, zorder=5,
                    color=BAND_COLOURS.get(item.band, PROFILE_COLOUR),
                    markeredgecolor="white", markeredgewidth=1.0)
        shown = _wrap(item.name)
        value = item.score_text if item.score is not None else no_data
        colour = "#222222" if item.score is not None else NO_DATA_COLOUR
        cos = math.cos(theta)
        ha = "center" if abs(cos) < 0.2 else ("left" if cos > 0 else "right")
        sin = math.sin(theta)
        va = "bottom" if sin > 0.5 else ("top" if sin < -0.5 else "center")
        ax.text(theta, 112, f"{shown}\n{value}", ha=ha, va=va, fontsize=label_size,
                color=colour, fontweight="normal", linespacing=1.15, clip_on=False,
                fontstyle="normal" if item.score is not None else "italic")


def render_radar(content: "ReportContent", fmt: str = "png", *,
                 size_in: Tuple[float, float] = (5.2, 4.6), dpi: int = 150,
                 title: Optional[str] = None, label_size: float = 8.5) -> bytes:
    """The radar chart of ``content``'s profile as PNG or SVG bytes.

    Parameters
    ----------
    content : ReportContent
        The report's content (its :attr:`~ReportContent.profile` and bands, its language).
    fmt : {"png", "svg", "pdf"}
        Image format.
    size_in : (float, float)
        Width and height in inches.
    dpi : int
        Resolution of a PNG.
    title : str, optional
        A title above the chart (none by default).
    label_size : float
        Font size of the axis labels, in points.

    Returns
    -------
    bytes
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size_in, dpi=dpi)
    ax = fig.add_axes((0.25, 0.17, 0.5, 0.62), projection="polar")
    draw_radar(ax, content.profile, content.bands, no_data=content.t("no_data"),
               label_size=label_size)
    if title:
        fig.suptitle(title, fontsize=label_size + 2)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> Optional[dict]:
    """Reproducible output: no creation date in SVG and PDF."""
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None
