"""clean_buildings: footprints repaired, footprint-less and near-duplicate buildings dropped,
remaining overlaps counted; idempotent; the result writes as the MultiPolygon buildings layer."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, Point, Polygon, box

from amp_qgis_plugin.core.data.buildings import COUNT_KEYS, clean_buildings, cleaning_messages
from amp_qgis_plugin.core.data.placedata import PlaceData, read_geopackage, write_geopackage
from amp_qgis_plugin.core.place import place_from_point

CRS = "EPSG:3006"


def _frame(rows):
    """GeoDataFrame of (osm_id, geometry) rows in a metric CRS."""
    return gpd.GeoDataFrame({"osm_id": [r[0] for r in rows]},
                            geometry=gpd.GeoSeries([r[1] for r in rows]), crs=CRS)


#: A bow-tie 0,0-10,10-10,0-0,10: two triangles of 25 m² each once repaired.
BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])


@pytest.fixture()
def footprints():
    return _frame([
        ("bowtie", BOWTIE),
        ("point", Point(50, 5)),
        ("line", LineString([(60, 0), (70, 0)])),
        ("dup_a", box(100, 0, 110, 10)),
        ("dup_b", box(100, 0, 110, 10)),             # exact duplicate of dup_a: the later goes
        ("near_small", box(204, 0, 214, 8)),          # 80 m², 6 x 8 = 48 m² (60 %) inside big
        ("near_big", box(200, 0, 210, 10)),           # 100 m²: kept although listed later
        ("overlap_a", box(300, 0, 310, 10)),
        ("overlap_b", box(308, 0, 318, 10)),          # 2 x 10 = 20 m² (20 %): kept, counted
        ("wall_a", box(400, 0, 410, 10)),
        ("wall_b", box(410, 0, 420, 10)),             # shares a wall only: not an overlap
    ])


def test_clean_buildings_outcomes(footprints):
    clean, counts = clean_buildings(footprints)
    assert list(clean["osm_id"]) == ["bowtie", "dup_a", "near_big", "overlap_a", "overlap_b",
                                     "wall_a", "wall_b"]
    assert counts == {"input": 11, "repaired": 1, "no_footprint": 2, "empty_after_repair": 0,
                      "near_duplicates_removed": 2, "overlapping_pairs": 1, "kept": 7}
    assert list(clean.index) == list(range(7))
    assert clean.crs == footprints.crs
    geoms = np.asarray(clean.geometry.values)
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert set(clean.geom_type) <= {"Polygon", "MultiPolygon"}
    bowtie = clean.geometry.iloc[0]
    assert bowtie.geom_type == "MultiPolygon" and len(bowtie.geoms) == 2
    assert sorted(p.area for p in bowtie.geoms) == pytest.approx([25.0, 25.0])
    assert bowtie.area == pytest.approx(50.0)
    # the kept rows keep their own geometry (the frame is not reordered under the attributes)
    assert clean.geometry.iloc[2].equals(box(200, 0, 210, 10))


def test_clean_buildings_is_idempotent(footprints):
    once, first = clean_buildings(footprints)
    twice, second = clean_buildings(once)
    assert list(twice["osm_id"]) == list(once["osm_id"])
    assert all(a.equals_exact(b, 0) for a, b in zip(once.geometry, twice.geometry))
    assert second == {"input": 7, "repaired": 0, "no_footprint": 0, "empty_after_repair": 0,
                      "near_duplicates_removed": 0, "overlapping_pairs": 1, "kept": 7}
    assert second["overlapping_pairs"] == first["overlapping_pairs"]


def test_collections_missing_and_collapsed_geometries():
    gdf = _frame([
        ("collection", GeometryCollection([box(0, 0, 4, 5), LineString([(10, 0), (20, 0)])])),
        ("lines_only", GeometryCollection([LineString([(30, 0), (40, 0)])])),
        ("none", None),
        ("empty", Polygon()),
        ("collapsed", Polygon([(50, 0), (51, 1), (52, 2), (50, 0)])),  # no area: invalid
    ])
    clean, counts = clean_buildings(gdf)
    assert list(clean["osm_id"]) == ["collection"]
    assert clean.geometry.iloc[0].equals(box(0, 0, 4, 5))
    assert counts["repaired"] == 1 and counts["no_footprint"] == 3
    assert counts["empty_after_repair"] == 1 and counts["kept"] == 1


def test_chain_of_near_duplicates_drops_every_smaller_member():
    """a ⊃ b ⊃ c, each more than half inside the next: b and c go, a stays."""
    gdf = _frame([("c", box(0, 0, 6, 10)), ("a", box(0, 0, 10, 10)), ("b", box(0, 0, 8, 10))])
    clean, counts = clean_buildings(gdf)
    assert list(clean["osm_id"]) == ["a"]
    assert counts["near_duplicates_removed"] == 2 and counts["overlapping_pairs"] == 0


def test_empty_and_grid_inputs():
    empty = _frame([])
    clean, counts = clean_buildings(empty)
    assert clean.empty and counts == dict.fromkeys(COUNT_KEYS, 0)
    # a city grid of 2,500 blocks sharing walls: nothing dropped, no overlapping pairs
    grid = _frame([(f"b{i}", box(x, y, x + 10, y + 10))
                   for i, (x, y) in enumerate((x, y) for x in range(0, 500, 10)
                                              for y in range(0, 500, 10))])
    clean, counts = clean_buildings(grid)
    assert counts["kept"] == 2500 and counts["overlapping_pairs"] == 0
    assert counts["near_duplicates_removed"] == 0


def test_messages_name_what_was_dropped(footprints):
    _, counts = clean_buildings(footprints)
    levels = [level for level, _ in cleaning_messages(counts)]
    texts = " ".join(text for _, text in cleaning_messages(counts))
    assert levels.count("warning") == 2 and levels.count("info") == 2
    assert "2 building(s) have no footprint" in texts
    assert "2 near-duplicate building footprint(s)" in texts
    assert "1 invalid building footprint(s) were repaired" in texts
    assert "1 pair(s) of building footprints overlap" in texts
    assert cleaning_messages(dict.fromkeys(COUNT_KEYS, 0)) == []


def test_clean_footprints_write_as_the_multipolygon_layer(footprints, tmp_path):
    place, study_area = place_from_point(18.07, 59.32, 20).to_frames()
    data = PlaceData(crs=place.crs.to_string())
    data["place"], data["study_area"] = place, study_area
    centre = place.geometry.iloc[0].centroid
    clean, _ = clean_buildings(footprints)
    moved = clean.set_geometry(clean.geometry.translate(centre.x, centre.y))
    data["buildings"] = moved.set_crs(data.crs, allow_override=True)
    path = write_geopackage(data, tmp_path / "place.gpkg")
    assert dict(pyogrio.list_layers(path))["buildings"] == "MultiPolygon"
    back = read_geopackage(path)["buildings"]
    assert list(back["osm_id"]) == list(clean["osm_id"])
    assert (back.geom_type == "MultiPolygon").all()
    assert back.area.sum() == pytest.approx(clean.area.sum())
    assert clean_buildings(back)[1]["repaired"] == 0
