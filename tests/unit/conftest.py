"""Unit tests run the engine without QGIS; shared fixtures live in tests/conftest.py."""

from overpass_replay import overpass_server  # the local Overpass replay server (a fixture)

__all__ = ["overpass_server"]
