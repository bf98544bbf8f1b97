"""Batch ranking of candidate places: one pass over the OSM data, resumable, local or on Dask.

``candidates``  read the candidate layer (polygons, or points with a radius; any CRS)
``subset``      read the OSM file once for all candidates and cut each one's PlaceData out of it
``state``       the journal: one small JSON per finished candidate, written atomically
``worker``      assess one candidate (the same entries as ``amp-place assess``)
``executors``   run the workers in this process, in local processes or on a Dask cluster
``ranking``     the ranking rule and ``DIR/ranking.gpkg``
``runner``      :func:`~amp_qgis_plugin.core.batch.runner.run_batch`, tying them together
"""
