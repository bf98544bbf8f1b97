"""Hand-built street grids shared by the walking-network and access tests."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Polygon, box

CRS = "EPSG:3006"


def grid_paths(n: int = 9, step: float = 100.0, tags=None) -> gpd.GeoDataFrame:
    """An n x n grid of streets: one way per row and per column, a vertex every ``step`` m.

    Rows and columns share their crossing vertices (as OSM ways share nodes), so the network is
    the grid graph with ``step`` m edges. ``tags`` maps a way id to extra tag values.
    """
    ways = []
    for k in range(n):
        c = k * step
        ways.append((f"wr{k}", LineString([(i * step, c) for i in range(n)])))
        ways.append((f"wc{k}", LineString([(c, i * step) for i in range(n)])))
    frame = gpd.GeoDataFrame({"osm_id": [w[0] for w in ways], "highway": ["footway"] * len(ways)},
                             geometry=[w[1] for w in ways], crs=CRS)
    for way, values in (tags or {}).items():
        for col, val in values.items():
            frame.loc[frame.osm_id == way, col] = val
    return frame


def centre_place() -> Polygon:
    """A 20 m square around the grid's centre node (400, 400): paths cross it on four sides."""
    return box(390, 390, 410, 410)
