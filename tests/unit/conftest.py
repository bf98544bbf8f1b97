"""Unit tests run the engine without QGIS; shared fixtures live in tests/conftest.py."""
