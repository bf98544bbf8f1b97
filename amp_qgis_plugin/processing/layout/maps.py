"""A map panel of the report: the map zoomed to the place, legend, scale bar, north arrow, credit.

The map shows the place with a margin around it (:func:`fit_extent`), never the whole study
area, at the next round scale (1:1 000, 1:1 250, 1:2 000 ...) so the printed scale reads well;
the scale bar's segments are round lengths; the north arrow follows the map's rotation; the OSM
credit sits in the map's lower-right corner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from qgis.core import (
    QgsBasicNumericFormat,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsLayerTreeLayer,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutSize,
    QgsLayoutUtils,
    QgsLegendRenderer,
    QgsMapLayer,
    QgsMapLayerLegendUtils,
    QgsPathResolver,
    QgsPrintLayout,
    QgsRectangle,
    QgsSymbolLayerUtils,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from amp_qgis_plugin.core.report.content import MAP_MARGIN, MIN_MARGIN_M
from amp_qgis_plugin.processing.compat import (
    DISTANCE_METERS,
    LEGEND_GROUP,
    LEGEND_SUBGROUP,
    LEGEND_SYMBOL_LABEL,
    LEGEND_TITLE,
    PICTURE_SVG,
)
from amp_qgis_plugin.processing.layout.items import (
    INK,
    MUTED,
    NOTE_BACKGROUND,
    TRANSLUCENT,
    add_label,
    place,
    qfont,
    text_format,
)
from amp_qgis_plugin.processing.layout.texts import class_label

#: Bounds as (xmin, ymin, xmax, ymax) in the map's CRS (metres).
Bounds = Tuple[float, float, float, float]

#: Round map scales (denominators) a printed map is read at.
NICE_SCALES = (250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7500,
               10000, 12500, 15000, 20000, 25000, 30000, 40000, 50000, 75000, 100000)

#: North arrow: QGIS's own (found through its SVG paths on every install), else ours.
NORTH_ARROW_QGIS = "arrows/NorthArrow_02.svg"
NORTH_ARROW_BUNDLED = (Path(__file__).resolve().parent.parent.parent / "resources" / "icons"
                       / "north_arrow.svg")


def fit_extent(bounds: Bounds, aspect: float, *, margin_fraction: float = MAP_MARGIN,
               min_margin: float = MIN_MARGIN_M) -> Bounds:
    """The extent showing ``bounds`` with a margin, widened to the map frame's ``aspect``.

    Parameters
    ----------
    bounds : (xmin, ymin, xmax, ymax)
        What must be seen (the place, the catchments).
    aspect : float
        The map frame's width / height.
    margin_fraction : float
        Margin on each side as a share of the larger side of ``bounds``.
    min_margin : float
        Smallest margin on each side, in map units (metres).

    Returns
    -------
    (xmin, ymin, xmax, ymax)
        Centred on ``bounds``, with ``width / height == aspect``.

    Examples
    --------
    >>> fit_extent((0, 0, 100, 50), 2.0, margin_fraction=0.1, min_margin=0)
    (-10.0, -10.0, 110.0, 50.0)
    """
    xmin, ymin, xmax, ymax = bounds
    w, h = xmax - xmin, ymax - ymin
    margin = max(margin_fraction * max(w, h), min_margin)
    w, h = w + 2 * margin, h + 2 * margin
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def nice_scale(scale: float) -> float:
    """The smallest round scale denominator not below ``scale`` (so everything still fits).

    >>> nice_scale(1037.0), nice_scale(1000.0), nice_scale(3.2e5)
    (1250, 1000, 400000)
    """
    for nice in NICE_SCALES:
        if nice >= scale - 1e-6:
            return nice
    step = 10 ** math.floor(math.log10(scale))
    return math.ceil(scale / step) * step


def scale_bar_units(map_width_m: float) -> Tuple[float, int]:
    """(metres per segment, number of segments) for a bar of about a quarter of the map width.

    Segments are 1, 2 or 5 times a power of ten (and 25, 250 ...), two to four of them.

    >>> scale_bar_units(240.0)
    (20, 3)
    >>> scale_bar_units(1500.0)
    (100, 4)
    """
    target = map_width_m / 4
    best: Tuple[float, int] = (1, 1)
    best_err = math.inf
    for exp in range(-1, 6):
        for mult in (1, 2, 2.5, 5):
            seg = mult * 10 ** exp
            for count in (2, 3, 4):
                err = abs(seg * count - target)
                if seg * count <= map_width_m / 2.5 and err < best_err:
                    best, best_err = (seg if seg != int(seg) else int(seg), count), err
    return best


@dataclass
class LegendEntry:
    """One layer in a legend.

    Attributes
    ----------
    layer : QgsMapLayer
        The layer.
    title : str
        Its title in the legend.
    classes : dict of str to str
        Labels of a categorised layer's classes by category value (``"A"`` -> "A active ...");
        classes not named here keep the style's label (translated by
        :func:`~amp_qgis_plugin.processing.layout.texts.class_label`).
    """

    layer: QgsMapLayer
    title: str
    classes: Dict[str, str] = field(default_factory=dict)


@dataclass
class MapPanel:
    """What one map panel shows and where.

    Attributes
    ----------
    item_id : str
        Id of the map item in the layout (the analyst sees it in the Items panel).
    page : int
        Page index.
    rect : (x, y, w, h)
        The map frame on the page, mm.
    layers : list of QgsMapLayer
        Top to bottom.
    bounds : (xmin, ymin, xmax, ymax)
        What the map must show (before margins).
    crs : QgsCoordinateReferenceSystem
        The map's CRS (the assessment's metric CRS).
    legend : list of LegendEntry
        The legend's layers, top to bottom.
    legend_rect : (x, y, w, h)
        Where the legend goes, mm; its height is the most it may take.
    legend_title : str
        The legend's title.
    credit : str
        The data credit shown in the map's lower-right corner.
    notes : list of str
        Lines shown under the legend (a missing raster, an empty layer).
    margin_fraction, min_margin : float
        Margin around ``bounds`` (see :func:`fit_extent`).
    legend_columns : int
        Columns of the legend.
    """

    item_id: str
    page: int
    rect: Tuple[float, float, float, float]
    layers: List[QgsMapLayer]
    bounds: Bounds
    crs: QgsCoordinateReferenceSystem
    legend: List[LegendEntry]
    legend_rect: Tuple[float, float, float, float]
    legend_title: str
    credit: str
    notes: List[str] = field(default_factory=list)
    margin_fraction: float = MAP_MARGIN
    min_margin: float = MIN_MARGIN_M
    legend_columns: int = 1


def north_arrow_path() -> str:
    """QGIS's north arrow SVG when installed, else the plugin's own."""
    path = QgsSymbolLayerUtils.svgSymbolNameToPath(NORTH_ARROW_QGIS, QgsPathResolver())
    if path and Path(path).is_file():
        return path
    return str(NORTH_ARROW_BUNDLED)


def add_map_panel(layout: QgsPrintLayout, panel: MapPanel, lang: str) -> QgsLayoutItemMap:
    """Add the map of ``panel`` with its legend, scale bar, north arrow, credit and notes."""
    x, y, w, h = panel.rect
    item = QgsLayoutItemMap(layout)
    item.setId(panel.item_id)
    item.setCrs(panel.crs)  # before sizing: a project without a CRS would be used otherwise
    layout.addLayoutItem(item)
    place(item, panel.page, x, y, w, h)
    item.setLayers(list(panel.layers))
    item.setKeepLayerSet(True)
    item.setFrameEnabled(True)
    item.setFrameStrokeColor(QColor(MUTED))
    item.setBackgroundColor(QColor("#ffffff"))
    extent = fit_extent(panel.bounds, w / h, margin_fraction=panel.margin_fraction,
                        min_margin=panel.min_margin)
    item.zoomToExtent(QgsRectangle(*extent))
    item.setScale(nice_scale(item.scale()))
    _add_north_arrow(layout, item, panel)
    _add_scale_bar(layout, item, panel, lang)
    credit = add_label(layout, panel.credit, panel.page, x, y, w - 2.0, 4.6, size=6.5, color=INK,
                       align="right", valign="center", background=TRANSLUCENT, margin=0.8,
                       item_id=f"{panel.item_id}-credit")
    credit.adjustSizeToText()  # one line, in the map's lower-right corner
    size = credit.sizeWithUnits()
    place(credit, panel.page, x + w - size.width() - 0.6, y + h - size.height() - 0.6,
          size.width(), size.height())
    _add_legend(layout, item, panel, lang)
    return item


def _add_north_arrow(layout: QgsPrintLayout, item: QgsLayoutItemMap, panel: MapPanel) -> None:
    x, y, w, _h = panel.rect
    arrow = QgsLayoutItemPicture(layout)
    arrow.setId(f"{panel.item_id}-north")
    arrow.setPicturePath(north_arrow_path(), PICTURE_SVG)
    arrow.setLinkedMap(item)
    arrow.setBackgroundEnabled(True)
    arrow.setBackgroundColor(QColor(TRANSLUCENT))
    layout.addLayoutItem(arrow)
    place(arrow, panel.page, x + w - 12.0, y + 2.0, 10.0, 14.0)


def _add_scale_bar(layout: QgsPrintLayout, item: QgsLayoutItemMap, panel: MapPanel,
                   lang: str) -> None:
    x, y, _w, h = panel.rect
    bar = QgsLayoutItemScaleBar(layout)
    bar.setId(f"{panel.item_id}-scalebar")
    bar.setStyle("Single Box")
    bar.setLinkedMap(item)
    bar.setUnits(DISTANCE_METERS)
    bar.setMapUnitsPerScaleBarUnit(1.0)
    bar.setUnitLabel("m")
    segment, count = scale_bar_units(item.extent().width())
    bar.setUnitsPerSegment(segment)
    bar.setNumberOfSegments(count)
    bar.setNumberOfSegmentsLeft(0)
    bar.setHeight(2.0)
    bar.setTextFormat(text_format(7))
    bar.setBackgroundEnabled(True)
    bar.setBackgroundColor(QColor(TRANSLUCENT))
    bar.setBoxContentSpace(1.2)
    layout.addLayoutItem(bar)
    bar.update()
    place(bar, panel.page, x + 2.0, y + h - 12.0, 10.0, 10.0)
    bar.resizeToMinimumWidth()
    # the scale as a number ("1:1 250"), a scale bar of its own so it follows the map when the
    # analyst changes it
    number = QgsLayoutItemScaleBar(layout)
    number.setId(f"{panel.item_id}-scale")
    number.setStyle("Numeric")
    number.setLinkedMap(item)
    fmt = QgsBasicNumericFormat()
    fmt.setNumberDecimalPlaces(0)
    fmt.setShowThousandsSeparator(True)
    fmt.setThousandsSeparator("\u00a0" if lang == "sv" else ",")
    number.setNumericFormat(fmt)
    number.setTextFormat(text_format(7))
    number.setBackgroundEnabled(True)
    number.setBackgroundColor(QColor(TRANSLUCENT))
    number.setBoxContentSpace(0.8)
    layout.addLayoutItem(number)
    place(number, panel.page, x + 2.0, y + h - 16.6, 10.0, 4.2)
    number.resizeToMinimumWidth()


def _add_legend(layout: QgsPrintLayout, item: QgsLayoutItemMap, panel: MapPanel,
                lang: str) -> None:
    lx, ly, lw, lh = panel.legend_rect
    legend = QgsLayoutItemLegend(layout)
    legend.setId(f"{panel.item_id}-legend")
    legend.setTitle(panel.legend_title)
    legend.setLinkedMap(item)
    layout.addLayoutItem(legend)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    extent = item.extent()
    for entry in panel.legend:
        shown = shown_classes(entry.layer, extent)
        if shown is not None and not shown:
            continue  # nothing of it on the map (the notes say so where it matters)
        node: QgsLayerTreeLayer = root.addLayer(entry.layer)
        node.setCustomProperty("legend/title-label", entry.title)
        _label_legend_nodes(legend, node, entry, lang, shown)
    legend.setColumnCount(panel.legend_columns)
    legend.setSplitLayer(True)
    legend.setEqualColumnWidth(False)
    legend.setWrapString("\n")
    for style, size, bold in ((LEGEND_TITLE, 10, True), (LEGEND_GROUP, 8.5, True),
                              (LEGEND_SUBGROUP, 8.5, True), (LEGEND_SYMBOL_LABEL, 7.5, False)):
        target = legend.rstyle(style)
        if hasattr(target, "setTextFormat"):
            target.setTextFormat(text_format(size, bold))
        else:  # QGIS < 3.30
            target.setFont(qfont(size, bold))
    legend.setSymbolWidth(6.0)
    legend.setSymbolHeight(3.5)
    legend.setBackgroundEnabled(False)
    legend.setFrameEnabled(False)
    legend.setResizeToContents(True)
    place(legend, panel.page, lx, ly, lw, lh)
    notes_h = 4.2 * len(panel.notes) + 2.5 if panel.notes else 0.0
    # the fewest columns (from the panel's) that fit the legend's place; else the narrowest
    # layout that is not too wide, however tall
    tried = []
    for columns in range(panel.legend_columns, 4):
        legend.setColumnCount(columns)
        width, height = legend_size(layout, legend)
        tried.append((columns, width, height))
        if height + notes_h <= lh and width <= lw:
            break
    else:
        fitting = [t for t in tried if t[1] <= lw] or [min(tried, key=lambda t: t[1])]
        columns, width, height = min(fitting, key=lambda t: t[2])
        legend.setColumnCount(columns)
    legend.attemptResize(QgsLayoutSize(max(width, 10.0), height))
    if panel.notes:
        add_label(layout, "\n".join(panel.notes), panel.page, lx, ly + min(height, lh) + 2.0, lw,
                  notes_h, size=7.5, color=INK, background=NOTE_BACKGROUND, margin=1.2,
                  item_id=f"{panel.item_id}-notes")


def legend_size(layout: QgsPrintLayout, legend: QgsLayoutItemLegend) -> Tuple[float, float]:
    """The size (mm) ``legend`` takes as set up now.

    ``QgsLayoutItemLegend.adjustBoxSize`` does nothing until the legend has been drawn once,
    so the legend is laid out here with the legend renderer itself.
    """
    context = QgsLayoutUtils.createRenderContextForLayout(layout, None, 300.0)
    size = QgsLegendRenderer(legend.model(), legend.legendSettings()).minimumSize(context)
    return float(size.width()), float(size.height())


def shown_classes(layer: QgsMapLayer, extent: QgsRectangle) -> Optional[List[int]]:
    """Indexes of the legend entries of ``layer`` drawn within ``extent``; None: all of them.

    A categorised vector layer lists the categories whose value occurs in a feature within
    the extent (an empty list when none does); another vector layer ``[0]`` when a feature is
    within the extent, else ``[]``; a raster None (its whole colour ramp is the key).
    """
    if not isinstance(layer, QgsVectorLayer):
        return None
    request = QgsFeatureRequest().setFilterRect(extent)
    renderer = layer.renderer()
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        field = renderer.classAttribute()
        index = layer.fields().lookupField(field)
        if index < 0:
            return None  # an expression: keep every class
        request.setSubsetOfAttributes([index])
        values = {str(f.attribute(index)) for f in layer.getFeatures(request)}
        return [i for i, cat in enumerate(renderer.categories())
                if cat.renderState() and str(cat.value()) in values]
    request.setNoAttributes()
    request.setLimit(1)
    return [0] if any(True for _ in layer.getFeatures(request)) else []


def _label_legend_nodes(legend: QgsLayoutItemLegend, node: QgsLayerTreeLayer,
                        entry: LegendEntry, lang: str, shown: Optional[List[int]]) -> None:
    """Keep the classes shown, drop a raster's band line, title a one-symbol layer's only
    entry, word class labels in the report's language."""
    model = legend.model()
    nodes = list(model.layerOriginalLegendNodes(node))
    labels = [str(n.data(Qt.ItemDataRole.DisplayRole) or "") for n in nodes]
    order = list(range(len(nodes))) if shown is None else [i for i in shown if i < len(nodes)]
    if shown is None and labels and labels[0].startswith("Band ") and len(labels) > 1:
        order = order[1:]  # "Band 1: <description> (Gray)": the title says it better
    if order != list(range(len(nodes))):
        QgsMapLayerLegendUtils.setLegendNodeOrder(node, order)
    values: List[str] = []
    renderer = entry.layer.renderer() if isinstance(entry.layer, QgsVectorLayer) else None
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        values = [str(cat.value()) for cat in renderer.categories()]
    if len(order) == 1 and not entry.classes:
        QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, order[0], entry.title)
    else:
        for index in order:
            value = values[index] if index < len(values) else None
            wanted = entry.classes.get(value, "") if value is not None else ""
            wanted = wanted or class_label(labels[index], lang)
            if wanted != labels[index]:
                QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, index, wanted)
    model.refreshLayerLegend(node)
