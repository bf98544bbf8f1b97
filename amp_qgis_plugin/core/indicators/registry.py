"""The indicators, one entry each: the same shape for the CLI, Processing, assess and batch.

Every indicator module exposes one entry, named on one pattern::

    compute_<name>(data: PlaceData, options: <Name>Options | None = None,
                   feedback: Feedback | None = None, **inputs) -> IndicatorResult

It takes the PlaceData and an options object (defaults from ``resources/scoring/<theme>.json``)
and returns one :class:`~amp_qgis_plugin.core.indicators.result.IndicatorResult` holding its
layers, rasters, figures, parameters and warnings; :func:`amp_qgis_plugin.core.outputs.write_results`
writes any number of them. ``inputs`` are optional products of other indicators (the sightlines
take the frontage layer to count active frontage in view).

The table below lists the entries by name without importing them (the modules pull in numpy
and geopandas); :func:`get` imports one on demand.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Type

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.data.placedata import PlaceData
    from amp_qgis_plugin.core.feedback import Feedback
    from amp_qgis_plugin.core.indicators.result import IndicatorResult
    from amp_qgis_plugin.core.options import Options


@dataclass(frozen=True)
class Indicator:
    """One indicator entry.

    Attributes
    ----------
    name : str
        Id (``"frontage"``); also the theme of its scoring file.
    module : str
        Module holding ``compute_<name>`` and ``<Name>Options``.
    options_class : str
        Name of the options dataclass in ``module``.
    main_figures : tuple of str
        Keys of the figures an interface returns as numbers (Processing outputs, batch columns);
        ``"key:NAME"`` gives the Processing output a name other than ``KEY`` (stable names of
        outputs that existed before).
    """

    name: str
    module: str
    options_class: str
    main_figures: Tuple[str, ...] = ()

    def outputs(self) -> Tuple[Tuple[str, str], ...]:
        """``(figure key, Processing output name)`` of each main figure."""
        pairs = []
        for item in self.main_figures:
            key, _, name = item.partition(":")
            pairs.append((key, name or key.upper()))
        return tuple(pairs)

    def _module(self) -> Any:
        return importlib.import_module(self.module)

    @property
    def compute(self) -> Callable[..., "IndicatorResult"]:
        """The entry ``compute_<name>``."""
        return getattr(self._module(), f"compute_{self.name}")

    @property
    def options(self) -> Type["Options"]:
        """The options class."""
        return getattr(self._module(), self.options_class)

    def run(self, data: "PlaceData", options: Optional["Options"] = None,
            feedback: Optional["Feedback"] = None, **inputs: Any) -> "IndicatorResult":
        """Call the entry (default options when ``options`` is None)."""
        return self.compute(data, options, feedback, **inputs)


_PKG = "amp_qgis_plugin.core.indicators"

#: Every indicator, in the order an assessment runs them (the frontage before the sightlines,
#: which count the active frontage in view).
INDICATORS: Dict[str, Indicator] = {ind.name: ind for ind in (
    Indicator("frontage", f"{_PKG}.frontage", "FrontageOptions",
              ("active_share", "doors_per_100m", "evening_open_share")),
    Indicator("seating", f"{_PKG}.seating", "SeatingOptions",
              ("seating_per_100m2", "linear_seating_m", "backs_share", "seating_types",
               "social_share")),
    Indicator("amenities", f"{_PKG}.amenities", "AmenityOptions",
              ("trees", "bins", "food_pois", "reasons_to_be_there")),
    Indicator("lighting", f"{_PKG}.lighting", "LightingOptions",
              ("eavg", "emin", "u0", "dark_share", "esc_min",
               "dark_gap_length_m:DARK_GAP_LENGTH")),
    Indicator("sightlines", f"{_PKG}.sightlines", "SightlineOptions",
              ("visible_from_streets_pct:STREET_VISIBILITY", "prospect_pct:PROSPECT",
               "concealment_pockets_per_1000m2:POCKETS", "occlusivity_pct:OCCLUSIVITY",
               "mean_isovist_area_m2:MEAN_ISOVIST_AREA")),
    Indicator("access", f"{_PKG}.access", "AccessOptions", ("nearest_lowcap_stop_m", "nearest_highcap_stop_m",
              "population_long", "entrances", "entrance_sides", "step_free_entrances_share")),
    Indicator("safety", f"{_PKG}.safety", "SafetyOptions", ("safety_index", "safety_coverage")),
)}


def get(name: str) -> Indicator:
    """The indicator ``name``; KeyError listing the known ones."""
    try:
        return INDICATORS[name]
    except KeyError:
        raise KeyError(f"No indicator {name!r}; known: {', '.join(INDICATORS)}") from None
