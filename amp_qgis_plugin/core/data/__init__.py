"""Sources -> PlaceData: OSM files, the Overpass API and municipal layers, in one canonical schema."""
