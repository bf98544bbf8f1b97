"""Shared result types of the indicators: a :class:`Figure` and an :class:`IndicatorResult`.

A figure is one place-level number with its unit, the threshold it is judged against and the
source of that threshold. "No data" is ``value=None``, never 0, so a place without benches in
OSM reads "no data" rather than "0 m of seating" when the data cannot tell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from amp_qgis_plugin.core.thresholds import threshold as _threshold

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

NO_DATA = "no data"


@dataclass
class Figure:
    """One place-level figure.

    Attributes
    ----------
    key : str
        Stable identifier, e.g. ``"doors_per_100m"``.
    label : str
        Human label (English).
    value : float, int, str or None
        The value; ``None`` means "no data" (the input cannot tell), never zero.
    unit : str
        Unit of ``value`` (``"%"``, ``"doors/100 m"``, ``"m per 100 m2"``, ``"count"`` ...).
    indicator : str
        Methodology indicator id (``"U1"``, ``"C1"`` ...) or ``""``.
    threshold_id : str
        Id of the threshold in ``resources/scoring/<theme>.json`` (``"theme:key"``) or ``""``.
    threshold : float, str or None
        The threshold / target value the figure is judged against, if any.
    source : str
        Source of the threshold (e.g. ``"NYC Zoning Resolution §37-741"``).
    verified : bool
        False when the threshold is marked [M] (from memory, unverified) in the methodology.
    note : str
        Assumptions, data gaps, or why the value is "no data".
    """

    key: str
    label: str
    value: Any
    unit: str = ""
    indicator: str = ""
    threshold_id: str = ""
    threshold: Any = None
    source: str = ""
    verified: bool = True
    note: str = ""

    @property
    def has_data(self) -> bool:
        """True when the figure holds a value (not "no data")."""
        if self.value is None:
            return False
        return not (isinstance(self.value, float) and math.isnan(self.value))

    def formatted(self, digits: int = 1, lang: str = "en") -> str:
        """Return the value with its unit, or ``"no data"``, in ``lang`` (``"en"``/``"sv"``).

        English is the engine's plain form (``12358.90 m2``); Swedish has a decimal comma,
        grouped thousands and Swedish units (``12 358,90 m²``, ``inga data``).
        """
        if lang != "en":
            return self._formatted_in(digits, lang)
        if not self.has_data:
            return NO_DATA
        value = self.value
        if isinstance(value, float):
            text = f"{value:.{digits}f}"
        else:
            text = str(value)
        return f"{text} {self.unit}".strip()

    def _formatted_in(self, digits: int, lang: str) -> str:
        from amp_qgis_plugin.core import i18n

        if not self.has_data:
            return i18n.no_data(lang)
        if isinstance(self.value, str):
            text = i18n.value_text(self.value, lang)
        else:
            text = i18n.format_number(self.value, digits, lang)
        unit = i18n.unit_text(self.unit, lang)
        return f"{text}{i18n.NBSP}{unit}" if unit else text

    def label_in(self, lang: str = "en", theme: str = "") -> str:
        """The label in ``lang``: English as the engine wrote it, else from the catalog.

        ``theme`` is the theme of the result holding the figure (catalog keys are
        ``theme:key``); without it the key alone is looked up.
        """
        if lang == "en":
            return self.label
        from amp_qgis_plugin.core.i18n import figure_label

        return figure_label(theme, self.key, self.label, lang)

    def as_dict(self) -> Dict[str, Any]:
        """Return the figure as a plain dict (JSON-friendly; ``None`` stays ``None``)."""
        return {
            "key": self.key, "label": self.label,
            "value": self.value if self.has_data else None,
            "unit": self.unit, "indicator": self.indicator,
            "threshold_id": self.threshold_id, "threshold": self.threshold,
            "source": self.source, "verified": self.verified, "note": self.note,
        }

    def line(self, lang: str = "en", theme: str = "") -> str:
        """One human line in ``lang``: label, value+unit, threshold and source.

        English: ``"Active frontage share: 13.1 % (threshold 80 %) [source: Gehl]"``;
        Swedish: ``"Andel aktiv fasadlängd: 13,1 % (gränsvärde 80 %) [källa: Gehl]"``.
        """
        if lang != "en":
            return self._line_in(lang, theme)
        text = f"{self.label}: {self.formatted()}"
        if self.threshold is not None:
            text += f" (threshold {self.threshold}"
            text += f" {self.unit}" if isinstance(self.threshold, (int, float)) else ""
            text += ")"
        if self.source:
            text += f" [source: {self.source}{'' if self.verified else ', unverified'}]"
        if self.note:
            text += f" - {self.note}"
        return text

    def _line_in(self, lang: str, theme: str) -> str:
        from amp_qgis_plugin.core import i18n

        text = f"{self.label_in(lang, theme)}: {self.formatted(lang=lang)}"
        if self.threshold is not None:
            numeric = isinstance(self.threshold, (int, float))
            threshold = i18n.plain_number(self.threshold, lang) if numeric \
                else i18n.threshold_text(str(self.threshold), lang)
            unit = i18n.unit_text(self.unit, lang) if numeric else ""
            text += f" ({i18n.word('threshold', lang)} {threshold}" + (f" {unit}" if unit else "")
            text += ")"
        if self.source:
            unverified = "" if self.verified else f", {i18n.word('unverified', lang)}"
            text += f" [{i18n.word('source', lang)}: {self.source}{unverified}]"
        if self.note:
            text += f" – {i18n.note_text(self.note, lang)}"
        return text


def figure_from_threshold(theme: str, threshold_key: str, key: str, label: str, value: Any,
                          *, unit: Optional[str] = None, indicator: str = "",
                          note: str = "") -> Figure:
    """Build a :class:`Figure` judged against one entry of ``resources/scoring/<theme>.json``.

    The entry's ``value``, ``unit``, ``source`` and ``verified`` (default True) fill the figure;
    ``unit`` overrides the entry's unit when the figure is expressed differently.
    """
    entry = _threshold(theme, threshold_key)
    return Figure(key=key, label=label, value=value,
                  unit=unit if unit is not None else str(entry.get("unit", "")),
                  indicator=indicator or str(entry.get("indicator", "")),
                  threshold_id=f"{theme}:{threshold_key}",
                  threshold=entry.get("value"), source=str(entry.get("source", "")),
                  verified=bool(entry.get("verified", True)), note=note)


@dataclass
class RasterOutput:
    """One raster an indicator made: values on a grid, with how to write and style it.

    Attributes
    ----------
    array : ndarray
        Values of shape ``grid.shape``; NaN is "no value" (written as nodata).
    grid : Grid
        Where the array lies (metric CRS, cell size).
    description : str
        Band description (English), e.g. ``"Horizontal illuminance (lx)"``.
    units : str
        Unit of the values (``"lx"``, ``"m2"``).
    style : str
        Name of the bundled QML style (``resources/styles/<style>.qml``) copied beside it.
    """

    array: Any
    grid: Any
    description: str = ""
    units: str = ""
    style: str = ""


@dataclass
class IndicatorResult:
    """The outcome of one indicator module for one place.

    Attributes
    ----------
    theme : str
        ``"frontage"``, ``"seating"``, ``"amenities"``, ``"opening_hours"`` ...
    figures : list of Figure
        Place-level figures, in display order.
    layers : dict of str to GeoDataFrame
        Output layers by name (e.g. ``"frontage"``).
    parameters : dict of str to str
        The options and assumptions used, written into the output provenance.
    warnings : list of str
        Data gaps and bad input the user should read (also pushed to the feedback).
    rasters : dict of str to RasterOutput
        Output rasters by name (e.g. ``"illuminance"``); written as ``<name>.tif``.
    geometry_types : dict of str to str
        Geometry type of each output layer (``"Point"``, ``"MultiPolygon"`` ...), so that
        empty layers are written with the right type.
    layer_styles : dict of str to str
        A bundled style other than the layer's own name (``{"lamps_used": "lamps"}``).
    extras : dict
        Intermediate products other entries may reuse (not written), e.g. the isovist field.
    """

    theme: str
    figures: List[Figure] = field(default_factory=list)
    layers: Dict[str, "gpd.GeoDataFrame"] = field(default_factory=dict)
    parameters: Dict[str, str] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)
    rasters: Dict[str, RasterOutput] = field(default_factory=dict)
    geometry_types: Dict[str, str] = field(default_factory=dict)
    layer_styles: Dict[str, str] = field(default_factory=dict)
    extras: Dict[str, Any] = field(default_factory=dict)

    def merge(self, other: "IndicatorResult") -> "IndicatorResult":
        """Add ``other``'s figures, layers, rasters, parameters and warnings to this result."""
        self.figures.extend(other.figures)
        self.layers.update(other.layers)
        self.rasters.update(other.rasters)
        self.geometry_types.update(other.geometry_types)
        self.layer_styles.update(other.layer_styles)
        self.parameters.update({f"{other.theme}.{k}": v for k, v in other.parameters.items()})
        self.warnings.extend(other.warnings)
        self.extras.update(other.extras)
        return self

    def figure(self, key: str) -> Figure:
        """Return the figure with ``key`` (KeyError if absent)."""
        for fig in self.figures:
            if fig.key == key:
                return fig
        raise KeyError(key)

    def value(self, key: str) -> Any:
        """Return the value of figure ``key`` (None = no data)."""
        fig = self.figure(key)
        return fig.value if fig.has_data else None

    def lines(self, lang: str = "en") -> List[str]:
        """The figures as printable lines in ``lang`` (``"en"`` or ``"sv"``)."""
        return [fig.line(lang, self.theme) for fig in self.figures]

    def provenance(self, prefix: Optional[str] = None) -> Mapping[str, str]:
        """Parameters and figures as provenance rows ``<prefix>.<key> -> text``."""
        prefix = prefix or self.theme
        rows = {f"{prefix}.param.{k}": str(v) for k, v in self.parameters.items()}
        for fig in self.figures:
            rows[f"{prefix}.figure.{fig.key}"] = fig.formatted(digits=2)
        return rows


#: Columns of the ``figures`` table of every output GeoPackage.
FIGURE_COLUMNS = ("theme", "key", "label", "value", "unit", "indicator", "threshold_id",
                  "threshold", "source", "verified", "note", "formatted")


def figures_frame(result: "IndicatorResult") -> "pd.DataFrame":
    """The figures of ``result`` as a plain table (for GeoPackages and reports).

    "No data" stays an empty value, never 0; ``formatted`` is the figure as printed.
    """
    import pandas as pd

    rows = []
    for fig in result.figures:
        row = {"theme": result.theme}
        row.update(fig.as_dict())
        row["value"] = "" if row["value"] is None else str(row["value"])
        row["threshold"] = "" if row["threshold"] is None else str(row["threshold"])
        row["formatted"] = fig.formatted(digits=2)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))
