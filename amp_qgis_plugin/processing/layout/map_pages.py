"""The report's two map pages.

The first: the place with its ground-floor frontage by Gehl grade, the seating, the street lamps
of the lighting model and the illuminance raster, buildings as context; legend on the right.
The second: the isovist field over the place (left) and the walking catchments around it with
the public-transport stops (right; the catchments reach well beyond the place, so
that map is zoomed to them, not to the study area).

A layer or raster missing from the assessment is left out and its map says so; a layer with no
feature at the place (no seating mapped) is left out of the legend and the map says so too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

from qgis.core import QgsCoordinateReferenceSystem, QgsMapLayer, QgsPrintLayout, QgsVectorLayer

from amp_qgis_plugin.processing.layout.items import CONTENT_BOTTOM, CONTENT_TOP, MARGIN, PAGE_W
from amp_qgis_plugin.processing.layout.layers import ReportLayers
from amp_qgis_plugin.processing.layout.maps import LegendEntry, MapPanel, add_map_panel
from amp_qgis_plugin.processing.layout.pages import Pages
from amp_qgis_plugin.processing.layout.texts import text

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import ReportContent

#: Gap between the two maps of page 2, and their height, mm.
GAP, ACCESS_MAP_H = 5.0, 112.0
#: Width of the place map on page 1 (the legend takes the rest), mm.
PLACE_MAP_W = 190.0


def credit(content: "ReportContent") -> str:
    """The OSM credit with the date of the data."""
    date = content.osm_date or "?"
    return f"{content.t('attribution')} (ODbL) · {content.t('osm_date')} {date}"


def _entry(layer: Optional[QgsMapLayer], title: str,
           classes: Optional[Dict[str, str]] = None) -> Optional[LegendEntry]:
    return None if layer is None else LegendEntry(layer, title, dict(classes or {}))


def _empty_note(layer: Optional[QgsVectorLayer], what: str, lang: str) -> List[str]:
    if layer is not None and layer.featureCount() == 0:
        return [text("none_mapped", lang, what=what)]
    return []


def _stack(*layers: Optional[QgsMapLayer]) -> List[QgsMapLayer]:
    return [layer for layer in layers if layer is not None]


def _entries(*entries: Optional[LegendEntry]) -> List[LegendEntry]:
    return [entry for entry in entries if entry is not None]


def _notes(layers: ReportLayers, names: Sequence[str]) -> List[str]:
    return [layers.notes[name] for name in names if name in layers.notes]


def add_map_pages(layout: QgsPrintLayout, pages: Pages, content: "ReportContent",
                  layers: ReportLayers) -> List[str]:
    """Add the two map pages; return every note shown on them (missing data, empty layers)."""
    crs = QgsCoordinateReferenceSystem(content.crs)
    notes = _add_place_map(layout, pages, content, layers, crs)
    notes += _add_access_maps(layout, pages, content, layers, crs)
    return notes


def _add_place_map(layout: QgsPrintLayout, pages: Pages, content: "ReportContent",
                   layers: ReportLayers, crs: QgsCoordinateReferenceSystem) -> List[str]:
    lang = content.lang
    page = pages.add(text("map1_title", lang, place=content.place_name),
                     text("map1_subtitle", lang))
    place, buildings = layers.place_outline(), layers.vector("buildings")
    frontage, seating = layers.vector("frontage"), layers.vector("seating_audit")
    lamps, illuminance = layers.vector("lamps_used"), layers.raster("illuminance")
    notes = _notes(layers, ("place", "frontage", "seating_audit", "lamps_used", "illuminance",
                            "buildings"))
    notes += _empty_note(seating, content.t("seating"), lang)
    notes += _empty_note(lamps, content.t("lamps"), lang)
    grades = {g: content.t(f"grade_{g}") for g in "ABCDE"}
    legend = _entries(_entry(place, content.t("place_outline")),
                      _entry(frontage, content.t("frontage_grade"), grades),
                      _entry(seating, content.t("seating")),
                      _entry(lamps, content.t("lamps")),
                      _entry(illuminance, content.t("illuminance")),
                      _entry(buildings, content.t("buildings")))
    top, height = CONTENT_TOP + 1, CONTENT_BOTTOM - CONTENT_TOP - 1
    add_map_panel(layout, MapPanel(
        item_id="map-place", page=page, rect=(MARGIN, top, PLACE_MAP_W, height),
        layers=_stack(lamps, seating, frontage, place, buildings, illuminance),
        bounds=content.place_bounds, crs=crs, legend=legend,
        legend_rect=(MARGIN + PLACE_MAP_W + 5, top, PAGE_W - 2 * MARGIN - PLACE_MAP_W - 5,
                     height),
        legend_title=content.t("legend"), credit=credit(content), notes=notes), lang)
    return notes


def _add_access_maps(layout: QgsPrintLayout, pages: Pages, content: "ReportContent",
                     layers: ReportLayers, crs: QgsCoordinateReferenceSystem) -> List[str]:
    lang = content.lang
    page = pages.add(text("map2_title", lang, place=content.place_name),
                     text("map2_subtitle", lang))
    place, buildings = layers.place_outline(), layers.vector("buildings")
    catchments, isovist = layers.vector("catchments"), layers.raster("isovist_area")
    stops = layers.vector("transit_access")
    width = (PAGE_W - 2 * MARGIN - GAP) / 2
    top = CONTENT_TOP + 1
    legend_top = top + ACCESS_MAP_H + 3
    legend_h = CONTENT_BOTTOM - legend_top
    left_notes = _notes(layers, ("isovist_area",))
    add_map_panel(layout, MapPanel(
        item_id="map-isovist", page=page, rect=(MARGIN, top, width, ACCESS_MAP_H),
        layers=_stack(place, buildings, isovist), bounds=content.place_bounds, crs=crs,
        legend=_entries(_entry(place, content.t("place_outline")),
                        _entry(isovist, content.t("isovist")),
                        _entry(buildings, content.t("buildings"))),
        legend_rect=(MARGIN, legend_top, width, legend_h), legend_title=content.t("legend"),
        credit=credit(content), notes=left_notes, legend_columns=2), lang)
    right_notes = _notes(layers, ("catchments", "transit_access"))
    bounds = content.catchment_extent or content.place_extent
    bounds = (min(bounds[0], content.place_bounds[0]), min(bounds[1], content.place_bounds[1]),
              max(bounds[2], content.place_bounds[2]), max(bounds[3], content.place_bounds[3]))
    kinds = {key: content.t(f"catchment_{key}")
             for key in ("short", "long", "short_older", "long_older")}
    add_map_panel(layout, MapPanel(
        item_id="map-catchments", page=page, rect=(MARGIN + width + GAP, top, width, ACCESS_MAP_H),
        layers=_stack(place, stops, buildings, catchments), bounds=bounds, crs=crs,
        legend=_entries(_entry(place, content.t("place_outline")),
                        _entry(catchments, content.t("map_access"), kinds),
                        _entry(stops, content.t("stops")),
                        _entry(buildings, content.t("buildings"))),
        legend_rect=(MARGIN + width + GAP, legend_top, width, legend_h),
        legend_title=content.t("legend"), credit=credit(content), notes=right_notes,
        margin_fraction=0.03, min_margin=20.0, legend_columns=2), lang)
    return left_notes + right_notes
