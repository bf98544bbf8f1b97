"""PlaceData GeoPackages: the schema version row, the refusal of other versions, the place
polygon's repair."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from amp_qgis_plugin.core.data.placedata import PlaceData, read_geopackage, write_geopackage
from amp_qgis_plugin.core.data.schema import SCHEMA_VERSION, SCHEMA_VERSION_KEY
from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.core.place import place_from_point


@pytest.fixture()
def gpkg(tmp_path):
    """A small PlaceData GeoPackage (a 20 m circle in Stockholm), written by this version."""
    place, study_area = place_from_point(18.07, 59.32, 20, name="Testtorget").to_frames()
    data = PlaceData(crs=place.crs.to_string(), provenance={"place_name": "Testtorget"})
    data["place"], data["study_area"] = place, study_area
    return write_geopackage(data, tmp_path / "testtorget.gpkg")


def _set_version(path, value):
    """Rewrite (or with None delete) the schema_version row, as an older/newer writer would."""
    con = sqlite3.connect(path)
    with con:
        if value is None:
            con.execute("delete from provenance where key = ?", (SCHEMA_VERSION_KEY,))
        else:
            con.execute("update provenance set value = ? where key = ?", (value, SCHEMA_VERSION_KEY))
    con.close()


def test_schema_version_is_written_and_read(gpkg):
    assert SCHEMA_VERSION == 2
    con = sqlite3.connect(gpkg)
    rows = dict(con.execute("select key, value from provenance").fetchall())
    con.close()
    assert rows[SCHEMA_VERSION_KEY] == "2"
    data = read_geopackage(gpkg)
    assert data.provenance[SCHEMA_VERSION_KEY] == "2"
    assert data.provenance["place_name"] == "Testtorget" and data.name == "Testtorget"


def test_write_always_records_this_version(gpkg, tmp_path):
    data = read_geopackage(gpkg)
    data.provenance[SCHEMA_VERSION_KEY] = "1"  # whatever the dict says, the layout is current
    again = read_geopackage(write_geopackage(data, tmp_path / "again.gpkg"))
    assert again.provenance[SCHEMA_VERSION_KEY] == str(SCHEMA_VERSION)


def test_older_version_is_refused_with_how_to_refresh(gpkg):
    _set_version(gpkg, "1")
    with pytest.raises(InputError) as err:
        read_geopackage(gpkg)
    assert str(err.value) == (
        "The PlaceData GeoPackage testtorget.gpkg is in schema version 1, but this version of the "
        "plugin reads schema version 2 only. It was written by an earlier version of the plugin: "
        "fetch the place again with this version of the plugin (amp:fetchplacedata / amp-place "
        "fetch) to refresh it.")
    assert err.value.options == ("data",)
    assert "--" not in str(err.value)  # concept words, no command-line flags


def test_missing_version_row_is_version_1(gpkg):
    _set_version(gpkg, None)
    with pytest.raises(InputError, match=r"schema version 1 \(it records no schema version\), "
                                         r"but this version of the plugin reads schema version 2"
                       ) as err:
        read_geopackage(gpkg)
    assert "fetch the place again" in str(err.value)
    assert err.value.options == ("data",)


def test_newer_and_unreadable_versions_are_refused(gpkg):
    _set_version(gpkg, "3")
    with pytest.raises(InputError, match=r"schema version 3.*newer version of the plugin: update "
                                         r"the plugin, or fetch the place again"):
        read_geopackage(gpkg)
    _set_version(gpkg, "two")
    with pytest.raises(InputError, match=r"unreadable schema version \('two'\).*Fetch the place "
                                         r"again"):
        read_geopackage(gpkg)


def test_place_polygon_repairs_a_bowtie():
    """The place layer as a user could have edited it: a bow-tie, two triangles of 25 m²."""
    bowtie = gpd.GeoSeries([Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])],
                           crs="EPSG:3006").translate(674000, 6580000)
    data = PlaceData(crs="EPSG:3006")
    data["place"] = gpd.GeoDataFrame({"name": ["Fjärilen"]}, geometry=bowtie)
    geom = data.place_polygon
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(50.0)
