"""Unit tests run the engine without QGIS; shared fixtures live in tests/conftest.py."""

from overpass_replay import overpass_server  # noqa: F401  (the local Overpass replay server)
