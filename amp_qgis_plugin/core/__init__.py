"""The QGIS-free engine: Place -> PlaceData -> indicators -> scores -> outputs.

Nothing under ``amp_qgis_plugin.core`` may import ``qgis``; the QGIS adapter lives in
``amp_qgis_plugin.processing``. Submodules import the geo stack (geopandas, shapely,
pyproj, osmium) lazily where it is heavy, so ``import amp_qgis_plugin.core`` itself is cheap.
"""
