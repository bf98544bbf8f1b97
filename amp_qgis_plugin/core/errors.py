"""The engine's own exceptions, each with a message a planner can act on.

Every message names the problem and what to do about it **in the words of the concept**
("give the place as a polygon or as a point and a radius", "use a larger cell size"), never
in the words of one interface: the engine does not know whether a command-line flag or a QGIS
parameter will be changed. An error names the options concerned in :attr:`AmpError.options`
(option ids such as ``"cell_size_m"``, ``"place"``, ``"search_area"``); the CLI appends its
flags for them (``--cell-size``) and the QGIS adapter its parameter names (``CELL_SIZE``).
The QGIS adapter turns these into ``QgsProcessingException``; the CLI prints them as one line on
stderr and exits non-zero.

Option ids used outside an options object (the place and data inputs):

``place``         the place polygon (a file or layer)
``place_name``    the name of an OSM square
``point``         the place's centre point
``place_radius_m`` the radius around the point
``search_area``   the area searched for a place name
``osm_file``      the local OSM file
``data``          the PlaceData GeoPackage
``output``        the output file or folder
"""

from __future__ import annotations

from typing import Sequence, Tuple


class AmpError(Exception):
    """Base class of every error the engine raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong and what to do, in the words of the concept.
    options : sequence of str, optional
        Ids of the options (or inputs) the user should change; each interface names them in
        its own terms (a flag, a parameter).
    """

    def __init__(self, message: str = "", *, options: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.options: Tuple[str, ...] = tuple(options)


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
