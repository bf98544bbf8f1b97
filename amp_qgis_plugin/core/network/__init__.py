"""Walking networks: built from the PlaceData paths, shortest distances, catchments.

- :mod:`~amp_qgis_plugin.core.network.walk`: the walking network of a place in osmnx's layout,
  with the place's entrances;
- :mod:`~amp_qgis_plugin.core.network.engine`: shortest walking distances from many origins in
  one pass over a sparse graph;
- :mod:`~amp_qgis_plugin.core.network.catchments`: the reached parts of the network and the
  catchment polygons.
"""
