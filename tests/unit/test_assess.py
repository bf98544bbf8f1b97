"""``amp-place assess`` end to end on Senaatintori: one folder, every layer, the profile."""

from __future__ import annotations

import math

import pyogrio
import pytest

from amp_qgis_plugin.cli import main
from amp_qgis_plugin.core.data.placedata import read_geopackage

ATTRIBUTES = ("uses_activities", "comfort_image", "access_linkages", "sociability")


@pytest.fixture(scope="module")
def assessed(senaatintori_gpkg, tmp_path_factory):
    """The CLI assessment of Senaatintori from its PlaceData: (folder, printed output)."""
    import contextlib
    import io

    out = tmp_path_factory.mktemp("assess")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["assess", "--data", str(senaatintori_gpkg), "--out", str(out)]) == 0
    return out, printed.getvalue()


def _scores(path):
    return pyogrio.read_dataframe(path, layer="scores", read_geometry=False)


def test_one_folder_with_every_layer_table_and_raster(assessed):
    out, printed = assessed
    gpkg = out / "senaatintori.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    # the PlaceData layers, every indicator's layers, and the tables
    assert {"place", "buildings", "paths", "frontage", "seating_audit", "lamps_used", "dark_gaps",
            "isovist_points", "concealment_pockets", "walk_nodes", "walk_edges", "catchments",
            "catchment_nodes", "figures", "scores", "sensitivity", "provenance",
            "layer_styles"} <= layers
    for raster in ("illuminance", "semicylindrical", "isovist_area"):
        assert (out / f"senaatintori-{raster}.tif").is_file()
        assert (out / f"senaatintori-{raster}.qml").is_file()
    assert f"Wrote {gpkg}" in printed
    assert not [p for p in out.iterdir() if ".partial" in p.name]


def test_attribute_scores_are_the_weighted_mean_of_their_indicators(assessed):
    """Each attribute = Σ wᵢ·sᵢ / Σ wᵢ over the indicators with data; coverage = Σ wᵢ (data) / Σ wᵢ."""
    out, printed = assessed
    scores = _scores(out / "senaatintori.gpkg")
    indicators = scores[scores.level == "indicator"]
    for key in ATTRIBUTES:
        row = scores[(scores.level == "attribute") & (scores.key == key)].iloc[0]
        members = indicators[(indicators.attribute == key) & (indicators.weight > 0)]
        with_data = members[members.score.notna()]
        coverage = 100 * with_data.weight.sum() / members.weight.sum()
        assert row.coverage_pct == pytest.approx(coverage)
        if with_data.empty:
            assert math.isnan(row.score)  # no data, never 0
            assert f"{row['name']}: no data, coverage 0 %" in printed
        else:
            expected = (with_data.weight * with_data.score).sum() / with_data.weight.sum()
            assert row.score == pytest.approx(expected)
            assert f"{row['name']}: {row.score:.0f} " in printed
    # Sociability needs field counts (S1, S2) and seats in the place (none at Senaatintori)
    assert math.isnan(scores[scores.key == "sociability"].score.iloc[0])


def test_every_score_names_its_threshold_source(assessed):
    out, _ = assessed
    scores = _scores(out / "senaatintori.gpkg")
    scored = scores[(scores.level == "indicator") & scores.score.notna()]
    assert len(scored) >= 15
    assert all(scored.source.str.len() > 5)
    assert set(scores.level) == {"indicator", "attribute", "index", "group"}


def test_the_assessment_is_reusable_as_place_data(assessed, tmp_path, capsys):
    out, printed = assessed
    data = read_geopackage(out / "senaatintori.gpkg")
    assert data.name == "Senaatintori" and len(data["buildings"]) > 300
    again = tmp_path / "again"
    assert main(["assess", "--data", str(out / "senaatintori.gpkg"), "--out", str(again)]) == 0
    first, second = _scores(out / "senaatintori.gpkg"), _scores(again / "senaatintori.gpkg")
    assert list(first.score.fillna(-1).round(9)) == list(second.score.fillna(-1).round(9))


def test_weights_change_the_profile_and_are_normalised_with_a_warning(senaatintori_gpkg,
                                                                      assessed, tmp_path, capfd):
    out, _ = assessed
    base = _scores(out / "senaatintori.gpkg")
    assert main(["assess", "--data", str(senaatintori_gpkg), "--out", str(tmp_path),
                 "--weights", "U1=2"]) == 0
    err = capfd.readouterr().err
    assert err.count("The weights of Uses & Activities sum to 2.834, not 1; they were "
                     "normalised to U1 0.706, U2 0.059") == 1
    new = _scores(tmp_path / "senaatintori.gpkg")
    # U1 = 2, the five other U weights as in profile.json (0.1667 each): normalised to sum 1,
    # in the same proportions
    u = new[(new.level == "indicator") & (new.attribute == "uses_activities")].set_index("key")
    assert u.weight.sum() == pytest.approx(1.0)
    assert u.weight["U1"] / u.weight["U2"] == pytest.approx(2 / 0.1667)
    assert u.weight["U1"] == pytest.approx(2 / (2 + 5 * 0.1667))
    have = u[u.score.notna()]
    expected = (have.weight * have.score).sum() / have.weight.sum()
    assert base[(base.level == "attribute") & (base.key == "uses_activities")].score.iloc[0] \
        != pytest.approx(expected)
    row = new[(new.level == "attribute") & (new.key == "uses_activities")].iloc[0]
    assert row.score == pytest.approx(expected)


def test_a_population_layer_without_a_population_field(senaatintori_gpkg, tmp_path, capfd):
    import geopandas as gpd
    from shapely.geometry import box

    layer = tmp_path / "grid.gpkg"
    data = read_geopackage(senaatintori_gpkg)
    x, y = data.place_polygon.centroid.coords[0]
    gpd.GeoDataFrame({"kod": ["a"], "yta": [1.0]}, geometry=[box(x - 500, y - 500, x + 500, y + 500)],
                     crs=data.crs).to_file(layer, driver="GPKG")
    out = tmp_path / "out"
    assert main(["assess", "--data", str(senaatintori_gpkg), "--out", str(out),
                 "--population", str(layer)]) == 1
    err = capfd.readouterr().err.strip()
    assert "has no population field" in err and "kod" in err and "yta" in err
    assert err.endswith("(--population-field, --population)")
    assert not out.exists() or not list(out.iterdir())


def test_cancel_writes_nothing(senaatintori_gpkg, tmp_path):
    from amp_qgis_plugin.core.assess import assess_place
    from amp_qgis_plugin.core.errors import CancelledError
    from amp_qgis_plugin.core.feedback import RecordingFeedback

    with pytest.raises(CancelledError):
        assess_place(read_geopackage(senaatintori_gpkg), feedback=RecordingFeedback(cancel_after=3))
