"""Maps of an assessed place drawn from its own data with matplotlib (no tile server, no network).

Three maps, each with its legend entries, a scale bar, a north arrow and "© OpenStreetMap
contributors":

:func:`draw_place_map`
    the place with its frontage by Gehl grade, seating, the lamps of the lighting model and the
    horizontal illuminance raster (and a scenario's changes: added green, removed red), zoomed
    to the place plus a margin;
:func:`draw_sightlines_map`
    the isovist-area field over the place (and concealment pockets, when there are any);
:func:`draw_catchment_map`
    the 5- and 10-minute walking catchments (standard and older adults' speed), the place, its
    access points and the public-transport stops, zoomed to the catchments.

Each ``draw_*`` function draws into a matplotlib axes and returns a :class:`MapResult` with the
legend entries (drawn by the caller where the page has room) and notes (a layer or raster that is
missing: the map is drawn without it and says so). :func:`render_map` gives PNG bytes of one map
with its legend, for the HTML page.

Layers are read from the assessment GeoPackage with ``pyogrio`` limited to the map's extent, so a
large study area costs nothing on a place map.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from amp_qgis_plugin.core.report.texts import number_text, text

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from matplotlib.axes import Axes

    from amp_qgis_plugin.core.report.content import ReportContent

Bounds = Tuple[float, float, float, float]

#: Gehl grade colours (as the bundled frontage style).
GRADE_COLOURS = {"A": "#1a9641", "B": "#a6d96a", "C": "#ffdd00", "D": "#fd8d3c", "E": "#d7191c"}
#: Illuminance classes (lx) and colours (as the bundled illuminance style).
ILLUMINANCE_CLASSES: Tuple[Tuple[float, float, str], ...] = (
    (0.0, 0.4, "#06061a"), (0.4, 1.0, "#2d1b5e"), (1.0, 2.0, "#6a2c82"), (2.0, 5.0, "#b53c6e"),
    (5.0, 10.0, "#e8664a"), (10.0, 15.0, "#f9a53b"), (15.0, 30.0, "#fcd96b"),
    (30.0, math.inf, "#fffbe0"))
#: Isovist-area classes (m²) and colours (as the bundled isovist style).
ISOVIST_CLASSES: Tuple[Tuple[float, float, str], ...] = (
    (0.0, 500.0, "#1b0c3a"), (500.0, 1000.0, "#4a1a6b"), (1000.0, 2500.0, "#7e2a7a"),
    (2500.0, 5000.0, "#b8456a"), (5000.0, 10000.0, "#e46f4e"), (10000.0, 20000.0, "#f7a83c"),
    (20000.0, math.inf, "#fde38a"))
#: Catchments (key, fill RGBA, edge colour, dashed), drawn in this order (largest first).
CATCHMENTS = (("long", (198 / 255, 219 / 255, 239 / 255, 0.55), "#4292c6", False),
              ("short", (107 / 255, 174 / 255, 214 / 255, 0.6), "#2171b5", False),
              ("long_older", (0, 0, 0, 0), "#a63603", True),
              ("short_older", (0, 0, 0, 0), "#e6550d", True))

BUILDING_FILL = "#d9d6d0"
BUILDING_EDGE = "#b5b1aa"
PATH_COLOUR = "#9e9e9e"
PLACE_EDGE = "#111111"
SEAT_COLOUR = "#2b83ba"
LAMP_COLOUR = "#ffe600"
#: A scenario's changes on the place map: added (green ring), removed (red cross).
SCENARIO_ADD_COLOUR = "#1a9641"
SCENARIO_REMOVE_COLOUR = "#d7191c"

#: Lengths a scale bar may take, in metres.
SCALE_STEPS = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


@dataclass
class LegendEntry:
    """One legend line: a label and how its symbol is drawn.

    Attributes
    ----------
    label : str
        The text.
    kind : str
        ``"patch"`` (a filled square), ``"line"`` or ``"marker"``.
    style : dict
        Matplotlib keywords for the symbol (``facecolor``/``edgecolor``/``hatch`` for patches,
        ``color``/``linewidth``/``linestyle`` for lines, ``marker``/``color``/... for markers).
    group : str
        The heading the entry is listed under (``""``: at the top, without a heading).
    """

    label: str
    kind: str
    style: Dict[str, Any] = field(default_factory=dict)
    group: str = ""


@dataclass
class MapResult:
    """What a ``draw_*`` function drew: the legend entries and the notes for the page."""

    title: str
    legend: List[LegendEntry] = field(default_factory=list)
    legend_title: str = ""
    notes: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Reading


def read_layer(content: "ReportContent", name: str, bounds: Optional[Bounds] = None
               ) -> Optional["gpd.GeoDataFrame"]:
    """Layer ``name`` of the assessment within ``bounds``; None when the layer is absent."""
    import pyogrio

    if name not in content.layers:
        return None
    return pyogrio.read_dataframe(content.path, layer=name, bbox=bounds)


def read_raster(path: Path, bounds: Optional[Bounds] = None):
    """``(masked array, (left, right, bottom, top))`` of band 1 of a GeoTIFF (nodata masked),
    cut to ``bounds`` when given."""
    import numpy as np
    import rasterio
    from rasterio.windows import from_bounds

    with rasterio.open(path) as src:
        window = None
        if bounds is not None:
            left = max(bounds[0], src.bounds.left)
            bottom = max(bounds[1], src.bounds.bottom)
            right = min(bounds[2], src.bounds.right)
            top = min(bounds[3], src.bounds.top)
            if right > left and top > bottom:
                window = from_bounds(left, bottom, right, top, src.transform)
                window = window.round_offsets().round_lengths()
        array = src.read(1, masked=True, window=window)
        if window is None:
            tb = tuple(src.bounds)
        else:  # north-up grid: the window's edges from the transform's origin and cell size
            tr = src.transform
            left, top = tr.c + window.col_off * tr.a, tr.f + window.row_off * tr.e
            tb = (left, top + window.height * tr.e, left + window.width * tr.a, top)
    array = np.ma.masked_invalid(array.astype("float64"))
    return array, (tb[0], tb[2], tb[1], tb[3])


# --------------------------------------------------------------------------------------------
# Map furniture


def fit_extent(extent: Bounds, aspect: float) -> Bounds:
    """Grow ``extent`` (never shrink it) to the width/height ratio ``aspect`` of the map box.

    >>> fit_extent((0, 0, 100, 100), 2.0)
    (-50.0, 0.0, 150.0, 100.0)
    """
    minx, miny, maxx, maxy = extent
    width, height = maxx - minx, maxy - miny
    if width / height < aspect:
        pad = (height * aspect - width) / 2
        return (minx - pad, miny, maxx + pad, maxy)
    pad = (width / aspect - height) / 2
    return (minx, miny - pad, maxx, maxy + pad)


def scale_length(width_m: float, share: float = 0.22) -> float:
    """A round scale-bar length near ``share`` of the map's width.

    >>> scale_length(300.0)
    50
    """
    target = width_m * share
    best = SCALE_STEPS[0]
    for step in SCALE_STEPS:
        if step <= target:
            best = step
    return best


def draw_furniture(ax: "Axes", extent: Bounds, lang: str, *, font: float = 7.0) -> None:
    """Scale bar (bottom left), north arrow (top right) and the OSM attribution (bottom right).

    The map's CRS is metric and north-up (the plugin works in UTM or SWEREF 99), so the bar is
    in metres and the arrow points up.
    """
    from matplotlib.patches import FancyBboxPatch, Rectangle

    minx, miny, maxx, maxy = extent
    width, height = maxx - minx, maxy - miny
    length = scale_length(width)
    x0, y0 = minx + 0.04 * width, miny + 0.05 * height
    bar_h = 0.012 * height
    ax.add_patch(FancyBboxPatch((x0 - 0.015 * width, y0 - 0.025 * height),
                                length + 0.03 * width, 0.085 * height,
                                boxstyle="round,pad=0,rounding_size=0", facecolor="white",
                                edgecolor="none", alpha=0.85, zorder=20))
    half = length / 2
    ax.add_patch(Rectangle((x0, y0), half, bar_h, facecolor="black", edgecolor="black",
                           linewidth=0.6, zorder=21))
    ax.add_patch(Rectangle((x0 + half, y0), half, bar_h, facecolor="white", edgecolor="black",
                           linewidth=0.6, zorder=21))
    for pos, value in ((0, 0), (half, half), (length, length)):
        ax.text(x0 + pos, y0 + bar_h + 0.008 * height,
                number_text(value, lang, 0 if value == int(value) else 1),
                ha="center", va="bottom", fontsize=font - 1, zorder=22)
    ax.text(x0 + length + 0.008 * width, y0 + bar_h / 2, "m", ha="left", va="center",
            fontsize=font - 1, zorder=22)
    # north arrow
    nx, ny = maxx - 0.06 * width, maxy - 0.16 * height
    ax.annotate("", xy=(nx, ny + 0.1 * height), xytext=(nx, ny),
                arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.7",
                            "color": "black", "linewidth": 1.4}, zorder=22)
    ax.text(nx, ny + 0.11 * height, text("north", lang), ha="center", va="bottom",
            fontsize=font + 1, fontweight="bold", zorder=22,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.6})
    ax.text(maxx - 0.01 * width, miny + 0.012 * height, text("attribution", lang),
            ha="right", va="bottom", fontsize=font - 1, zorder=22,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0})


def _frame(ax: "Axes", extent: Bounds) -> None:
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#f7f6f3")
    for spine in ax.spines.values():
        spine.set_color("#444444")
        spine.set_linewidth(0.8)


def _classes_entries(classes, unit: str, lang: str, group: str) -> List[LegendEntry]:
    out = []
    for low, high, colour in classes:
        if low == 0:
            label = f"< {number_text(high, lang, _dec(high))} {unit}"
        elif math.isinf(high):
            label = f"≥ {number_text(low, lang, _dec(low))} {unit}"
        else:
            label = f"{number_text(low, lang, _dec(low))}–{number_text(high, lang, _dec(high))} {unit}"
        out.append(LegendEntry(label, "patch", {"facecolor": colour, "edgecolor": "#666666"},
                               group))
    return out


def _dec(value: float) -> int:
    return 0 if value == int(value) else 1


def _draw_classes(ax: "Axes", array, extent, classes, zorder: float = 2) -> None:
    from matplotlib.colors import BoundaryNorm, ListedColormap

    edges = [c[0] for c in classes] + [max(classes[-1][0] * 1000, 1e12)]
    cmap = ListedColormap([c[2] for c in classes])
    cmap.set_bad(alpha=0)
    cmap.set_under(classes[0][2])
    ax.imshow(array, extent=extent, cmap=cmap, norm=BoundaryNorm(edges, cmap.N),
              interpolation="nearest", zorder=zorder, origin="upper")


def _base(ax: "Axes", content: "ReportContent", extent: Bounds, result: MapResult,
          paths: bool = False) -> None:
    buildings = read_layer(content, "buildings", extent)
    if buildings is not None and not buildings.empty:
        buildings.plot(ax=ax, facecolor=BUILDING_FILL, edgecolor=BUILDING_EDGE, linewidth=0.3,
                       zorder=3)
    if paths:
        lines = read_layer(content, "paths", extent)
        if lines is not None and not lines.empty:
            lines.plot(ax=ax, color=PATH_COLOUR, linewidth=0.4, zorder=1)
            result.legend.append(LegendEntry(text("paths", content.lang), "line",
                                             {"color": PATH_COLOUR, "linewidth": 0.8}))
    result.legend.append(LegendEntry(text("buildings", content.lang), "patch",
                                     {"facecolor": BUILDING_FILL, "edgecolor": BUILDING_EDGE}))


def _place(ax: "Axes", content: "ReportContent", result: MapResult, *, fill: str = "none",
           linewidth: float = 1.8) -> None:
    place = read_layer(content, "place")
    if place is not None and not place.empty:
        place.boundary.plot(ax=ax, color=PLACE_EDGE, linewidth=linewidth, zorder=9)
        if fill != "none":
            place.plot(ax=ax, facecolor=fill, edgecolor="none", zorder=8)
    result.legend.insert(0, LegendEntry(text("place_outline", content.lang), "patch",
                                        {"facecolor": fill, "edgecolor": PLACE_EDGE,
                                         "linewidth": 1.6}))


def _raster(ax: "Axes", content: "ReportContent", name: str, extent: Bounds, classes,
            result: MapResult, zorder: float = 2) -> bool:
    ref = content.rasters.get(name)
    if ref is None or ref.path is None:
        result.notes.append(ref.message if ref is not None else
                            text("raster_missing", content.lang,
                                 what=text(f"what_{name}", content.lang), file=f"{name}.tif"))
        return False
    try:
        array, raster_extent = read_raster(ref.path, extent)
    except Exception as exc:  # a broken file: say so on the map page, draw the rest
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        result.notes.append(text("raster_unreadable", content.lang,
                                 what=text(f"what_{name}", content.lang), file=ref.path.name,
                                 reason=reason))
        return False
    _draw_classes(ax, array, raster_extent, classes, zorder)
    return True


# --------------------------------------------------------------------------------------------
# The maps


def draw_place_map(ax: "Axes", content: "ReportContent", aspect: Optional[float] = None
                   ) -> MapResult:
    """The place: illuminance, frontage by Gehl grade, seating and the lamps of the model.

    Parameters
    ----------
    ax : Axes
        The map's axes.
    content : ReportContent
        The report's content (file, language, the place's extent).
    aspect : float, optional
        Width/height of the map box; the extent grows to it (default: the axes' box).
    """
    lang = content.lang
    result = MapResult(title=text("map_place", lang), legend_title=text("legend", lang))
    extent = fit_extent(content.place_extent, aspect or _aspect(ax))
    _frame(ax, extent)
    _base(ax, content, extent, result, paths=True)
    if _raster(ax, content, "illuminance", extent, ILLUMINANCE_CLASSES, result, zorder=4):
        result.legend.extend(_classes_entries(ILLUMINANCE_CLASSES, "lx", lang,
                                              text("illuminance", lang)))
    frontage = read_layer(content, "frontage", extent)
    for grade, colour in GRADE_COLOURS.items():
        result.legend.append(LegendEntry(text(f"grade_{grade}", lang), "line",
                                         {"color": colour, "linewidth": 3.0},
                                         text("frontage_grade", lang)))
    if frontage is None:
        result.notes.append(text("layer_missing", lang, layer="frontage"))
    elif not frontage.empty and "grade" in frontage.columns:
        for grade, colour in GRADE_COLOURS.items():
            part = frontage[frontage["grade"].astype(str) == grade]
            if not part.empty:
                part.plot(ax=ax, color=colour, linewidth=3.2, zorder=10,
                          path_effects=_halo(4.6))
    _place(ax, content, result)
    seats = read_layer(content, "seating", extent)
    if seats is not None and not seats.empty:
        seats.plot(ax=ax, marker="s", color=SEAT_COLOUR, markersize=14, edgecolor="white",
                   linewidth=0.5, zorder=12)
    lamps = read_layer(content, "lamps_used", extent)
    if lamps is None or lamps.empty:
        lamps = read_layer(content, "lamps", extent)
    if lamps is not None and not lamps.empty:
        lamps.plot(ax=ax, marker="o", color=LAMP_COLOUR, markersize=16, edgecolor="black",
                   linewidth=0.6, zorder=13)
    none = f" ({text('none_on_map', lang)})"
    result.legend.append(LegendEntry(text("seating", lang) + ("" if _has(seats) else none),
                                     "marker", {"marker": "s", "color": SEAT_COLOUR,
                                                "markersize": 5, "markeredgecolor": "white"}))
    result.legend.append(LegendEntry(text("lamps", lang) + ("" if _has(lamps) else none),
                                     "marker", {"marker": "o", "color": LAMP_COLOUR,
                                                "markersize": 5.5, "markeredgecolor": "black",
                                                "markeredgewidth": 0.6}))
    _scenario_changes(ax, content, extent, result)
    draw_furniture(ax, extent, lang)
    return result


def _scenario_changes(ax: "Axes", content: "ReportContent", extent: Bounds,
                      result: MapResult) -> None:
    """A scenario's changes (``scenario_changes``): added as green rings, removed as red
    crosses, each with a legend entry when there is one on the map."""
    changes = read_layer(content, "scenario_changes", extent)
    if changes is None or changes.empty or "action" not in changes.columns:
        return
    action = changes["action"].astype(str).str.lower()
    added, removed = changes[action == "add"], changes[action == "remove"]
    ring = {"marker": "o", "facecolor": "none", "edgecolor": SCENARIO_ADD_COLOUR}
    cross = {"marker": "X", "color": SCENARIO_REMOVE_COLOUR, "edgecolor": "white"}
    if not added.empty:
        added.plot(ax=ax, markersize=110, linewidth=2.0, zorder=14, **ring)
        result.legend.append(LegendEntry(text("scen_added_map", content.lang), "marker",
                                         {"marker": "o", "markerfacecolor": "none",
                                          "markeredgecolor": SCENARIO_ADD_COLOUR,
                                          "markersize": 7, "markeredgewidth": 1.6}))
    if not removed.empty:
        removed.plot(ax=ax, markersize=70, linewidth=0.6, zorder=14, **cross)
        result.legend.append(LegendEntry(text("scen_removed_map", content.lang), "marker",
                                         {"marker": "X", "color": SCENARIO_REMOVE_COLOUR,
                                          "markeredgecolor": "white", "markersize": 7}))


def draw_sightlines_map(ax: "Axes", content: "ReportContent", aspect: Optional[float] = None
                        ) -> MapResult:
    """The isovist-area field over the place (with concealment pockets when there are any)."""
    lang = content.lang
    result = MapResult(title=text("map_sight", lang), legend_title=text("legend", lang))
    extent = fit_extent(content.place_extent, aspect or _aspect(ax))
    _frame(ax, extent)
    _base(ax, content, extent, result, paths=False)
    if _raster(ax, content, "isovist_area", extent, ISOVIST_CLASSES, result, zorder=4):
        result.legend.extend(_classes_entries(ISOVIST_CLASSES, "m²", lang, text("isovist", lang)))
    pockets = read_layer(content, "concealment_pockets", extent)
    if pockets is not None and not pockets.empty:
        pockets.plot(ax=ax, facecolor="none", edgecolor="#00a6d6", hatch="////", linewidth=0.8,
                     zorder=7)
        result.legend.append(LegendEntry(text("pockets", lang), "patch",
                                         {"facecolor": "none", "edgecolor": "#00a6d6",
                                          "hatch": "////"}))
    _place(ax, content, result)
    draw_furniture(ax, extent, lang)
    return result


def draw_catchment_map(ax: "Axes", content: "ReportContent", aspect: Optional[float] = None
                       ) -> MapResult:
    """The walking catchments around the place, its access points and the transit stops."""
    lang = content.lang
    result = MapResult(title=text("map_access", lang), legend_title=text("legend", lang))
    base = content.catchment_extent or content.place_extent
    pad = 0.04 * max(base[2] - base[0], base[3] - base[1])
    extent = fit_extent((base[0] - pad, base[1] - pad, base[2] + pad, base[3] + pad),
                        aspect or _aspect(ax))
    _frame(ax, extent)
    _base(ax, content, extent, result, paths=True)
    catchments = read_layer(content, "catchments")
    if catchments is None or catchments.empty:
        result.notes.append(text("layer_missing", lang, layer="catchments"))
    else:
        for key, fill, edge, dashed in CATCHMENTS:
            part = catchments[catchments["key"].astype(str) == key]
            if part.empty:
                continue
            part.plot(ax=ax, facecolor=fill, edgecolor=edge, linewidth=1.2 if dashed else 0.9,
                      linestyle=(0, (4, 2)) if dashed else "solid", zorder=4 if not dashed else 6)
            style = ({"facecolor": "none", "edgecolor": edge, "linestyle": "--",
                      "linewidth": 1.2} if dashed else {"facecolor": fill, "edgecolor": edge})
            result.legend.append(LegendEntry(text(f"catchment_{key}", lang), "patch", style))
    _place(ax, content, result, fill="#111111", linewidth=1.0)
    stops = read_layer(content, "transit_stops", extent)
    if stops is not None and not stops.empty:
        stops.plot(ax=ax, marker="^", color="#d7301f", markersize=18, edgecolor="white",
                   linewidth=0.5, zorder=12)
        result.legend.append(LegendEntry(text("stops", lang), "marker",
                                         {"marker": "^", "color": "#d7301f", "markersize": 6,
                                          "markeredgecolor": "white"}))
    draw_furniture(ax, extent, lang)
    return result


def _has(frame: Optional["gpd.GeoDataFrame"]) -> bool:
    return frame is not None and not frame.empty


def _aspect(ax: "Axes") -> float:
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    return (box.width * fig_w) / (box.height * fig_h)


def _halo(width: float):
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=width, foreground="white"), patheffects.Normal()]


# --------------------------------------------------------------------------------------------
# Legends


def draw_legend(ax: "Axes", result: MapResult, *, font: float = 7.0, columns: int = 1,
                title: bool = True) -> float:
    """Draw ``result``'s legend entries into an empty axes, top down (group titles in bold).

    Parameters
    ----------
    ax : Axes
        An axes used only for the legend (its frame is hidden).
    result : MapResult
        The entries of the map.
    font : float
        Font size in points.
    columns : int
        Number of columns; whole groups fill them, the tallest column as short as possible.
    title : bool
        Write the legend's title above it.

    Returns
    -------
    float
        The height the legend took, in inches.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    width_in, height_in = box.width * fig_w, box.height * fig_h
    line = font * 1.55 / 72 / height_in  # one line, as a share of the axes' height
    sym_w = 0.22 / width_in  # symbols 0.22 in wide, in axes units
    sym_h = font * 0.9 / 72 / height_in
    chunks = _columns(_grouped(result.legend), columns)
    top = 1.0
    if title and result.legend_title:
        ax.text(0, top, result.legend_title, ha="left", va="top", fontsize=font + 0.5,
                fontweight="bold")
        top -= line * 1.3
    used = 1.0 - top
    col_w = 1.0 / max(1, len(chunks))
    for c, chunk in enumerate(chunks):
        x0 = c * col_w
        y = top
        for group, items in chunk:
            if group:
                if y < top:
                    y -= line * 0.3
                ax.text(x0, y - line / 2, group, ha="left", va="center", fontsize=font,
                        fontweight="bold", parse_math=False)
                y -= line
            for entry in items:
                yc = y - line / 2
                if entry.kind == "patch":
                    style = {"linewidth": 0.6, **entry.style}
                    ax.add_patch(Rectangle((x0, yc - sym_h / 2), sym_w, sym_h, **style))
                elif entry.kind == "line":
                    ax.add_line(Line2D([x0, x0 + sym_w], [yc, yc], **entry.style))
                else:
                    ax.add_line(Line2D([x0 + sym_w / 2], [yc], linestyle="none", **entry.style))
                ax.text(x0 + sym_w * 1.35, yc, entry.label, ha="left", va="center",
                        fontsize=font, parse_math=False)
                y -= line
        used = max(used, 1.0 - y)
    return used * height_in


Group = Tuple[str, List[LegendEntry]]


def _grouped(entries: Sequence[LegendEntry]) -> List[Group]:
    """Entries without a group first (in order), then each group in order of first use."""
    groups: Dict[str, List[LegendEntry]] = {"": []}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    return [(name, items) for name, items in groups.items() if items]


def _columns(groups: List[Group], columns: int) -> List[List[Group]]:
    """Split whole groups into at most ``columns`` columns, the tallest as short as possible."""
    sizes = [len(items) + (1.3 if name else 0.0) for name, items in groups]
    n = len(groups)
    if columns <= 1 or n <= 1:
        return [groups]
    best: Tuple[float, List[Tuple[int, int]]] = (float("inf"), [(0, n)])

    def search(start: int, left: int, done: List[Tuple[int, int]]) -> None:
        nonlocal best
        if left == 1 or start >= n:
            parts = done + ([(start, n)] if start < n else [])
            tallest = max(sum(sizes[a:b]) for a, b in parts)
            if tallest < best[0]:
                best = (tallest, parts)
            return
        for end in range(start + 1, n + 1):
            search(end, left - 1, done + [(start, end)])

    search(0, columns, [])
    return [groups[a:b] for a, b in best[1]]


def render_map(content: "ReportContent", which: str, *, size_in: Tuple[float, float] = (9.0, 6.0),
               dpi: int = 110) -> Tuple[bytes, MapResult]:
    """One map with its legend to the right, as PNG bytes (for the HTML page).

    Parameters
    ----------
    content : ReportContent
        The report's content.
    which : {"place", "sightlines", "catchments"}
        The map.
    size_in : (float, float)
        Width and height in inches.
    dpi : int
        Resolution.

    Returns
    -------
    (bytes, MapResult)
    """
    from matplotlib.figure import Figure

    draw = {"place": draw_place_map, "sightlines": draw_sightlines_map,
            "catchments": draw_catchment_map}[which]
    fig = Figure(figsize=size_in, dpi=dpi)
    legend_w = 2.6 / size_in[0]
    ax = fig.add_axes((0.01, 0.02, 0.98 - legend_w - 0.01, 0.96))
    result = draw(ax, content)
    draw_legend(fig.add_axes((1 - legend_w + 0.01, 0.04, legend_w - 0.02, 0.92)), result)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue(), result


def map_titles(lang: str) -> Dict[str, str]:
    """The titles of the maps of :func:`render_map`, in the language."""
    return {"place": text("map_place", lang), "sightlines": text("map_sight", lang),
            "catchments": text("map_access", lang)}


__all__: Sequence[str] = ("LegendEntry", "MapResult", "draw_catchment_map", "draw_furniture",
                          "draw_legend", "draw_place_map", "draw_sightlines_map", "fit_extent",
                          "map_titles", "read_layer", "read_raster", "render_map",
                          "scale_length")
