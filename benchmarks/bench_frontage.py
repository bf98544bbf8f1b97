"""Benchmark: frontage mapping for every square in the bundled central-Helsinki sample.

Squares are the OSM areas tagged ``place=square`` or ``highway=pedestrian`` + area (found with
pyosmium's area handler). The sample is read once (Senaatintori with a 3 km study radius, which
covers the whole extract); then :func:`map_frontage` runs once per square with that square as
the place. Prints one row per square (time, frontage, grade) and the total time and peak Python
memory (tracemalloc) of the frontage runs.

Run: ``.venv/bin/python benchmarks/bench_frontage.py``
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import osmium
from shapely import wkb

from amp_qgis_plugin.core.fetch import fetch_place_data, sample_request
from amp_qgis_plugin.core.indicators.frontage import map_frontage

SAMPLE = Path(__file__).resolve().parents[1] / "amp_qgis_plugin" / "resources" / "sample" / "helsinki-centre.osm.pbf"


class _Squares(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.rows = []
        self.factory = osmium.geom.WKBFactory()

    def area(self, a) -> None:
        tags = a.tags
        if tags.get("place") == "square" or (tags.get("highway") == "pedestrian" and
                                             (tags.get("area") == "yes" or not a.from_way())):
            try:
                geom = wkb.loads(self.factory.create_multipolygon(a), hex=True)
            except Exception:  # broken multipolygon
                return
            oid = ("w" if a.from_way() else "r") + str(a.orig_id())
            self.rows.append({"name": tags.get("name", ""), "osm_id": oid, "geometry": geom})


def main() -> None:
    t0 = time.perf_counter()
    data = fetch_place_data(sample_request("Senaatintori", study_radius_m=3000))
    t_read = time.perf_counter() - t0
    handler = _Squares()
    handler.apply_file(str(SAMPLE), locations=True)
    squares = gpd.GeoDataFrame(handler.rows, crs="EPSG:4326").to_crs(data.crs)
    squares = squares[squares.area >= 100].reset_index(drop=True)
    print(f"read sample once: {t_read:.2f} s; {len(squares)} squares/pedestrian areas; "
          f"{len(data['buildings'])} buildings, {len(data['pois'])} POIs, {len(data['entrances'])} entrances")
    print(f"{'square':32} {'area m2':>9} {'time ms':>8} {'front m':>8} {'doors/100m':>10} {'grade':>5}")
    tracemalloc.start()
    t_all = time.perf_counter()
    for _, sq in squares.iterrows():
        data["place"] = gpd.GeoDataFrame({"name": [sq["name"]], "kind": ["square"], "osm_id": [sq.osm_id]},
                                         geometry=[sq.geometry], crs=data.crs)
        t = time.perf_counter()
        res = map_frontage(data)
        dt = (time.perf_counter() - t) * 1000
        dens = res.value("doors_per_100m")
        front = res.value("frontage_length")
        print(f"{(sq['name'] or sq.osm_id)[:32]:32} {sq.geometry.area:9.0f} {dt:8.1f} "
              f"{front if front is not None else float('nan'):8.1f} "
              f"{dens if dens is not None else float('nan'):10.1f} {res.value('grade') or '-':>5}")
    total = time.perf_counter() - t_all
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"total frontage mapping: {total:.2f} s for {len(squares)} squares "
          f"({total / max(len(squares), 1) * 1000:.0f} ms each, under tracemalloc); peak traced memory of "
          f"the frontage runs {peak / 1e6:.1f} MB; process max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
