"""The engine's own exceptions, each with a message a planner can act on.

Every message names the problem and what to do about it. The QGIS adapter turns these
into ``QgsProcessingException``; the CLI prints them as one line on stderr and exits non-zero.
"""

from __future__ import annotations


class AmpError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputError(AmpError, ValueError):
    """The user's input (a file, a parameter, a layer) cannot be used as given."""


class PlaceNotFoundError(InputError):
    """No usable place polygon matches what the user asked for."""


class DataError(AmpError):
    """A data source is broken, truncated or not what it claims to be."""


class OverpassError(AmpError):
    """The Overpass API failed or answered with an error."""


class DependencyError(AmpError, ImportError):
    """A Python package the engine needs is missing or broken."""


class CancelledError(AmpError):
    """The user cancelled the run; no output was written."""

    def __init__(self, message: str = "Cancelled by the user; no output was written.") -> None:
        super().__init__(message)
