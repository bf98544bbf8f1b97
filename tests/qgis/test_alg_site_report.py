"""``amp:sitereport`` in QGIS: the print layout of an assessment, its PDF, the project's layout.

The sample place (Senaatintori) is assessed once; the report is made in both languages and read
back with ``pdftotext`` (poppler-utils): the pages in order, the place's name, every profile
score with its band, "no data" for Sociability (never 0), every threshold source. The layout is
checked in the project's layout manager (maps zoomed to the place, legend, scale bar, north
arrow, OSM credit on each). Bad inputs stop with messages naming what is missing.
"""

from __future__ import annotations

import math
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

#: What each page of the Senaatintori report begins with (English, Swedish): the profile, two
#: maps, the key figures on two pages (PPS attributes; safety index and other figures), data
#: coverage and provenance, the sources on two pages.
PAGE_TITLES = (
    ("Site assessment: Senaatintori", "Platsbedömning: Senaatintori"),
    ("Senaatintori: frontage, seating and lighting", "Senaatintori: fasader, sittplatser och belysning"),
    ("Senaatintori: sightlines and walking access", "Senaatintori: siktlinjer och gångavstånd"),
    ("Key figures with thresholds and sources", "Nyckeltal med gränsvärden och källor"),
    ("Key figures with thresholds and sources (continued)",
     "Nyckeltal med gränsvärden och källor (forts.)"),
    ("Data coverage and provenance", "Datatäckning och ursprung"),
    ("Sources of the thresholds", "Källor till gränsvärdena"),
    ("Sources of the thresholds (continued)", "Källor till gränsvärdena (forts.)"),
)
BANDS = {"red": ("red", "röd"), "yellow": ("yellow", "gul"), "green": ("green", "grön")}
LANGUAGE_CHOICE = {"sv": 1, "en": 2}


def _pdftotext(pdf: Path) -> list:
    """The text of each page of ``pdf``."""
    assert shutil.which("pdftotext"), "pdftotext missing: apt-get install poppler-utils"
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")[:-1]


#: Ligatures the PDF's fonts set and pdftotext gives back as one character.
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}


def _flat(text: str) -> str:
    """Whitespace (line breaks of wrapped cells, no-break spaces) as single spaces, ligatures
    as their letters."""
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def assessment(senaatintori_data, tmp_path_factory) -> Path:
    """Senaatintori assessed with the defaults: DIR/senaatintori.gpkg and its rasters."""
    from amp_qgis_plugin.core.assess import assess_place, write_assessment

    folder = tmp_path_factory.mktemp("assessment")
    return Path(write_assessment(assess_place(senaatintori_data), folder)["gpkg"])


@pytest.fixture(scope="module")
def scores(assessment):
    import pyogrio

    return pyogrio.read_dataframe(assessment, layer="scores", read_geometry=False)


def _report(run_alg, assessment: Path, out: Path, lang: str):
    from qgis.core import QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    result = run_alg("amp:sitereport", {"ASSESSMENT": str(assessment),
                                        "LANGUAGE": LANGUAGE_CHOICE[lang], "OUTPUT": str(out)},
                     feedback)
    return result


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_report_pages_and_text(run_alg, assessment, scores, tmp_path, lang):
    from qgis.core import QgsProject

    QgsProject.instance().clear()
    out = tmp_path / f"report-{lang}.pdf"
    result = _report(run_alg, assessment, out, lang)
    assert result["OUTPUT"] == str(out) and out.stat().st_size > 50_000
    pages = _pdftotext(out)
    assert len(pages) == result["PAGES"] == len(PAGE_TITLES)
    index = 0 if lang == "en" else 1
    for number, (page, titles) in enumerate(zip(pages, PAGE_TITLES), start=1):
        assert _flat(page).startswith(titles[index]), (number, _flat(page)[:80])
        assert "Senaatintori" in page
        word = "Page" if lang == "en" else "Sida"
        assert f"{word} {number} {'of' if lang == 'en' else 'av'} {len(PAGE_TITLES)}" in _flat(page)
    # the profile page: each attribute and the index as "<rounded score> (<band>)"
    profile = _flat(pages[0])
    by_key = scores.set_index("key")
    for key in ("uses_activities", "comfort_image", "access_linkages", "safety"):
        row = by_key.loc[key]
        name = row["name_sv"] if lang == "sv" else row["name"]
        expected = f"{name} {int(round(row['score']))} ({BANDS[row['band']][index]})"
        assert expected in profile, expected
    # Sociability has no data: shown as such, never as a score of 0
    sociability = by_key.loc["sociability"]
    assert math.isnan(sociability["score"])
    name = sociability["name_sv"] if lang == "sv" else sociability["name"]
    no_data = "inga data" if lang == "sv" else "no data"
    # name, score, coverage 0 % (pdftotext may drop the narrow no-break space before "%")
    assert re.search(rf"{re.escape(name)} {no_data} 0 ?%", profile)
    assert not re.search(rf"{re.escape(name)} 0 \(", profile)
    # every indicator's threshold source is in the sources list, numbered in order of use
    sources = _flat(" ".join(pages[-2:]))
    used = list(dict.fromkeys(_flat(s) for s in scores.loc[scores.level == "indicator", "source"]))
    for number, source in enumerate(used, start=1):
        assert f"[{number}] {source}" in sources, source[:60]
    # the key figures carry units: the doors per 100 m of U1 and the lux of C7
    figures = _flat(pages[3])
    u1, c7 = by_key.loc["U1"], by_key.loc["C7"]
    decimal = (lambda v: v.replace(".", ",")) if lang == "sv" else (lambda v: v)
    unit = "dörrar/100 m" if lang == "sv" else "doors/100 m"
    assert f"{decimal(f'{u1.value:.2f}')} {unit}" in figures
    assert f"{decimal(f'{c7.value:.2f}')} lx" in figures
    # the credit on both map pages; the place map's round scale as the language writes it
    for page in pages[1:3]:
        assert "© OpenStreetMap contributors" in page
    assert ("1:1 250" if lang == "sv" else "1:1,250") in _flat(pages[1])


def test_layout_in_the_project(run_alg, assessment, senaatintori_data, tmp_path):
    from qgis.core import (
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutItemPicture,
        QgsLayoutItemScaleBar,
        QgsProject,
        QgsRasterLayer,
    )

    project = QgsProject.instance()
    project.clear()
    result = _report(run_alg, assessment, tmp_path / "a.pdf", "en")
    layers_once = len(project.mapLayers())
    # LANGUAGE left at "follow QGIS": English here; a second layout gets a unique name and
    # reuses the layers the first one put in the project
    again = run_alg("amp:sitereport", {"ASSESSMENT": str(assessment),
                                       "OUTPUT": str(tmp_path / "b.pdf")})
    assert result["LAYOUT"] == "Senaatintori – Site assessment"
    assert again["LAYOUT"] == "Senaatintori – Site assessment (2)"
    assert len(project.mapLayers()) == layers_once
    from qgis.core import QgsApplication

    from amp_qgis_plugin.processing.compat import ALGORITHM_NO_THREADING

    alg = QgsApplication.processingRegistry().algorithmById("amp:sitereport")
    assert alg.flags() & ALGORITHM_NO_THREADING  # layouts and layers live in the main thread
    layout = project.layoutManager().layoutByName(result["LAYOUT"])
    assert layout is not None and layout.pageCollection().pageCount() == result["PAGES"]
    items = {item.id(): item for item in layout.items() if hasattr(item, "id") and item.id()}
    place = senaatintori_data.place_polygon.bounds
    study = senaatintori_data.study_area_polygon.bounds
    for map_id in ("map-place", "map-isovist", "map-catchments"):
        item = items[map_id]
        assert isinstance(item, QgsLayoutItemMap)
        extent = item.extent()
        assert extent.xMinimum() < place[0] and extent.xMaximum() > place[2]
        assert extent.yMinimum() < place[1] and extent.yMaximum() > place[3]
        assert isinstance(items[f"{map_id}-legend"], QgsLayoutItemLegend)
        assert isinstance(items[f"{map_id}-scalebar"], QgsLayoutItemScaleBar)
        assert isinstance(items[f"{map_id}-north"], QgsLayoutItemPicture)
        assert items[f"{map_id}-north"].linkedMap() is item
        assert items[f"{map_id}-scale"].style() == "Numeric"  # "1:1,250", follows the map
        assert items[f"{map_id}-scale"].linkedMap() is item
        credit = items[f"{map_id}-credit"]
        assert isinstance(credit, QgsLayoutItemLabel)
        assert credit.text().startswith("© OpenStreetMap contributors")
    # the place maps show the place with a margin (35 % of its larger side, at least 40 m), at
    # a round scale, never the whole study area (1.7 km across here)
    place_map = items["map-place"]
    larger = max(place[2] - place[0], place[3] - place[1])
    assert place_map.extent().width() >= place[2] - place[0] + 2 * max(0.35 * larger, 40)
    assert place_map.extent().width() < (study[2] - study[0]) / 4
    assert place_map.scale() == pytest.approx(1250)
    # the catchment map covers the catchments, and still less than the study area
    import pyogrio

    catch = pyogrio.read_dataframe(assessment, layer="catchments").total_bounds
    cmap = items["map-catchments"].extent()
    assert cmap.xMinimum() <= catch[0] and cmap.xMaximum() >= catch[2]
    assert cmap.yMinimum() <= catch[1] and cmap.yMaximum() >= catch[3]
    # the maps draw the assessment's layers, which are in the project (kept on save)
    names = {layer.name() for layer in place_map.layers()}
    assert {"Senaatintori – Place", "Senaatintori – frontage", "Senaatintori – lamps_used",
            "Senaatintori – seating_audit", "Senaatintori – illuminance"} <= names
    assert all(project.mapLayer(layer.id()) is not None for layer in place_map.layers())
    raster = next(layer for layer in place_map.layers() if isinstance(layer, QgsRasterLayer))
    assert raster.renderer().type() == "singlebandpseudocolor"  # styled by its .qml
    group = project.layerTreeRoot().findGroup("Senaatintori")
    assert group is not None and len(group.findLayers()) >= 7
    # saved and reopened, the layout keeps its pages, maps and layers (the analyst edits it later)
    pages, names = layout.pageCollection().pageCount(), sorted(names)
    assert project.write(str(tmp_path / "project.qgz"))
    project.clear()
    assert project.read(str(tmp_path / "project.qgz"))
    layout = project.layoutManager().layoutByName(result["LAYOUT"])
    assert layout.pageCollection().pageCount() == pages
    reopened = layout.itemById("map-place")
    assert sorted(layer.name() for layer in reopened.layers()) == names
    assert reopened.scale() == pytest.approx(1250)
    project.clear()


def _copy(assessment: Path, folder: Path) -> Path:
    folder.mkdir()
    for path in assessment.parent.glob(f"{assessment.stem}*"):
        shutil.copy(path, folder / path.name)
    return folder / assessment.name


def test_missing_raster_and_layer_are_said_on_the_maps(run_alg, assessment, tmp_path):
    from qgis.core import QgsProcessingFeedback, QgsProject

    QgsProject.instance().clear()
    copy = _copy(assessment, tmp_path / "assessment")
    (copy.parent / f"{copy.stem}-illuminance.tif").unlink()
    _drop_table(copy, "catchments")  # as when the access indicator could not run
    warnings = []

    class Feedback(QgsProcessingFeedback):
        def pushWarning(self, text):  # noqa: N802
            warnings.append(text)

    out = tmp_path / "report.pdf"
    result = run_alg("amp:sitereport", {"ASSESSMENT": str(copy), "LANGUAGE": 2,
                                        "OUTPUT": str(out)}, Feedback())
    message = ("The illuminance raster (senaatintori-illuminance.tif) is missing beside the "
               "assessment: the map is drawn without it. Run the assessment again to restore it.")
    assert message in warnings
    pages = _pdftotext(out)
    assert len(pages) == result["PAGES"]
    assert message in _flat(pages[1])  # on the map page, under its legend
    assert "Horizontal illuminance (lx)" not in pages[1]  # and not in the legend
    missing = "The layer 'catchments' is not in the assessment: it is not drawn."
    assert missing in warnings and missing in _flat(pages[2])
    assert "Walking catchments" not in _flat(pages[2])  # no legend entry
    QgsProject.instance().clear()


def _drop_table(gpkg: Path, table: str) -> None:
    with sqlite3.connect(gpkg) as db:
        db.execute(f'DROP TABLE "{table}"')
        db.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))


def _fails(run_alg, assessment: Path, out: Path, lang: str = "en") -> str:
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        run_alg("amp:sitereport", {"ASSESSMENT": str(assessment),
                                   "LANGUAGE": LANGUAGE_CHOICE[lang], "OUTPUT": str(out)})
    assert not out.exists()
    return str(err.value)


def test_older_assessment_is_refused(run_alg, assessment, tmp_path):
    copy = _copy(assessment, tmp_path / "old")
    _drop_table(copy, "scores")
    text = _fails(run_alg, copy, tmp_path / "r.pdf")
    assert text == ("senaatintori.gpkg was written by an older version of the plugin (it has no "
                    "scores table). Run the assessment of the place again with this version, then "
                    "make the report. In QGIS: 'Assess place' (amp:assessplace). "
                    "(parameter ASSESSMENT)")
    copy = _copy(assessment, tmp_path / "schema1")
    with sqlite3.connect(copy) as db:  # an assessment of the first data schema
        db.execute("UPDATE provenance SET value = '1' WHERE key = 'schema_version'")
    text = _fails(run_alg, copy, tmp_path / "r.pdf", "sv")
    assert "skrevs av en äldre version av tillägget (dataschema version 1, denna version läser " \
           "2)" in text
    assert "I QGIS: 'Bedöm plats' (amp:assessplace)." in text and "ASSESSMENT" in text


def test_not_an_assessment_is_refused(run_alg, senaatintori_gpkg, tmp_path):
    text = _fails(run_alg, senaatintori_gpkg, tmp_path / "r.pdf")
    assert text.startswith("senaatintori.gpkg is not an assessment (it has no scores table): "
                           "it looks like fetched place data.")
    assert "(amp:assessplace)" in text and text.endswith("(parameter ASSESSMENT)")
    junk = tmp_path / "notes.gpkg"
    junk.write_text("not a GeoPackage")
    text = _fails(run_alg, junk, tmp_path / "r.pdf")
    assert text.startswith("The assessment notes.gpkg cannot be read as a GeoPackage")
    assert "(amp:assessplace)" in text
    text = _fails(run_alg, senaatintori_gpkg, tmp_path / "r.txt")
    assert text == f"The report goes to a PDF file (.pdf), not {tmp_path / 'r.txt'}. (parameter OUTPUT)"


def test_bundled_north_arrow_is_a_valid_svg():
    from qgis.PyQt.QtSvg import QSvgRenderer

    from amp_qgis_plugin.processing.layout.maps import NORTH_ARROW_BUNDLED, north_arrow_path

    assert QSvgRenderer(str(NORTH_ARROW_BUNDLED)).isValid()
    assert Path(north_arrow_path()).is_file()


def test_map_helpers():
    from amp_qgis_plugin.processing.layout.maps import (
        fit_extent,
        nice_scale,
        scale_bar_units,
    )

    # 100 x 50 m with 10 % (10 m) margins -> 120 x 70, widened to 2:1 -> 140 x 70
    assert fit_extent((0, 0, 100, 50), 2.0, margin_fraction=0.1, min_margin=0) == \
        (-20.0, -10.0, 120.0, 60.0)
    # the minimum margin wins for a small place: 20 x 20 + 2 x 40 -> 100 x 100, to 1:2 -> 100 x 200
    assert fit_extent((0, 0, 20, 20), 0.5, margin_fraction=0.35, min_margin=40) == \
        (-40.0, -90.0, 60.0, 110.0)
    assert [nice_scale(s) for s in (1000, 1001, 1337, 14000, 2e5)] == [1000, 1250, 1500, 15000,
                                                                       200000]
    # a quarter of 240 m is 60 m: 3 x 20 m; of 1500 m, 375 m: 4 x 100 m (400 m)
    assert scale_bar_units(240.0) == (20, 3)
    assert scale_bar_units(1500.0) == (100, 4)
