"""Place: metric CRS choice, polygons from layers (any CRS), repairs, size limit."""

from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Polygon

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.place import (
    DEFAULT_STUDY_RADIUS_M,
    in_sweden,
    metric_crs_for,
    place_from_file,
    place_from_geodataframe,
    place_from_point,
    repair_polygon,
)


@pytest.mark.parametrize("lon, lat, crs", [
    (18.0712, 59.3170, "EPSG:3006"),   # Stockholm, Mariatorget
    (11.9668, 57.7072, "EPSG:3006"),   # Göteborg, Gustaf Adolfs torg
    (13.0038, 55.6050, "EPSG:3006"),   # Malmö, Stortorget
    (20.2253, 67.8558, "EPSG:3006"),   # Kiruna
    (18.2948, 57.6398, "EPSG:3006"),   # Visby (Gotland)
    (24.9525, 60.1695, "EPSG:32635"),  # Helsinki: UTM 35N
    (12.5683, 55.6761, "EPSG:32633"),  # Copenhagen: across the Öresund, not Sweden
    (10.7522, 59.9139, "EPSG:32632"),  # Oslo
    (-73.9857, 40.7484, "EPSG:32618"),  # New York
    (151.2093, -33.8688, "EPSG:32756"),  # Sydney, southern hemisphere
])
def test_metric_crs(lon, lat, crs):
    assert metric_crs_for(lon, lat) == crs


def test_in_sweden_border_towns():
    assert in_sweden(23.95, 66.0)       # Haparanda (Sweden)
    assert not in_sweden(24.3, 65.85)   # Tornio (Finland), across the river
    assert in_sweden(11.9, 58.9)        # Strömstad side
    assert not in_sweden(11.2, 59.3)    # Halden area (Norway)


def test_point_place_area_and_study_area():
    place = place_from_point(18.0712, 59.3170, 40)
    assert place.crs == "EPSG:3006"
    # a 32-segments-per-quarter circle: area within 0.1 % of pi r^2
    assert place.area_m2 == pytest.approx(3.14159265 * 40 ** 2, rel=1e-3)
    assert place.study_radius_m == DEFAULT_STUDY_RADIUS_M == 800
    assert place.study_area.area == pytest.approx(3.14159265 * 840 ** 2, rel=1e-3)


def test_geographic_polygon_is_reprojected_not_refused():
    """A WGS 84 polygon becomes metric; its area equals the geodesic area to 0.3 %."""
    lonlat = [(24.9510, 60.1690), (24.9540, 60.1690), (24.9540, 60.1700), (24.9510, 60.1700)]
    gdf = gpd.GeoDataFrame({"name": ["Testtorget"]}, geometry=[Polygon(lonlat)], crs="EPSG:4326")
    place = place_from_geodataframe(gdf)
    assert place.crs == "EPSG:32635" and place.name == "Testtorget"
    geodesic = abs(Geod(ellps="WGS84").polygon_area_perimeter(*zip(*lonlat))[0])
    assert place.area_m2 == pytest.approx(geodesic, rel=3e-3)


def test_self_intersecting_polygon_is_repaired_with_note():
    """A bow-tie 0,0-10,10-10,0-0,10 is two triangles of 25 m² each."""
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    assert not bowtie.is_valid
    shifted = gpd.GeoSeries([bowtie], crs="EPSG:3006").translate(674000, 6580000)
    place = place_from_geodataframe(gpd.GeoDataFrame(geometry=shifted))
    assert place.geometry.is_valid
    assert place.area_m2 == pytest.approx(50.0)
    assert "Self-intersection" in place.notes["place_repaired"]


def test_repair_polygon_keeps_the_polygons_and_refuses_what_has_no_area():
    notes = {}
    repaired = repair_polygon(Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]), notes)
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert sorted(p.area for p in repaired.geoms) == pytest.approx([25.0, 25.0])
    assert notes["place_repaired"].startswith("The place polygon was invalid (Self-intersection")
    valid = Polygon([(0, 0), (4, 0), (4, 4)])
    notes = {}
    assert repair_polygon(valid, notes) is valid and notes == {}
    with pytest.raises(InputError, match="no area left after repairing it"):
        repair_polygon(Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]))
    with pytest.raises(InputError, match="not a LineString"):
        repair_polygon(LineString([(0, 0), (1, 1)]))
    with pytest.raises(InputError, match="empty"):
        repair_polygon(Polygon())


def test_place_too_large_is_refused_with_numbers():
    place = place_from_point(18.07, 59.32, 400)  # ~502,000 m²
    with pytest.raises(InputError) as err:
        place.check_size(100_000)
    message = str(err.value)
    assert "100,000 m²" in message and "50" in message


@pytest.mark.parametrize("gdf, words", [
    (gpd.GeoDataFrame(geometry=[Polygon([(0, 0), (1, 0), (1, 1)])]), "no CRS"),
    (gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:3006")), "no features"),
    (gpd.GeoDataFrame(geometry=gpd.points_from_xy([18.0], [59.0]), crs="EPSG:4326"), "no polygons"),
])
def test_unusable_place_layers(gdf, words):
    with pytest.raises(InputError, match=words):
        place_from_geodataframe(gdf)


def test_place_from_file_missing(tmp_path):
    with pytest.raises(InputError, match="not found"):
        place_from_file(tmp_path / "nope.gpkg")


def test_bad_point_radius():
    with pytest.raises(InputError, match="positive"):
        place_from_point(18.0, 59.0, 0)
