"""The assessment's layers in the project, styled, so the layout's maps survive a project save.

Map items keep their own layer lists, but a layer must be in the project for the layout to keep
showing it once the project is saved and reopened, and for the analyst to restyle it. A layer
already in the project from the same file (opened by ``amp:assessplace``) is reused as it is, with
the analyst's styling; the others are added, with their default style (vector layers: the style
stored in the GeoPackage; rasters: the ``.qml`` beside them), to the layer-tree group named after
the place (the group ``amp:assessplace`` opens its results in), unchecked so the canvas stays as
the analyst left it. The place itself is drawn as its outline only, from a layer of its own, so
that its fill does not tint the rasters under it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Optional

from qgis.core import (
    QgsFillSymbol,
    QgsMapLayer,
    QgsProject,
    QgsProviderRegistry,
    QgsRasterLayer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)

if TYPE_CHECKING:  # pragma: no cover
    from amp_qgis_plugin.core.report.content import ReportContent

#: Custom property marking the layers the report made for itself.
ROLE_PROPERTY = "amp/report-role"


def _outline_symbol(layer: QgsVectorLayer) -> QgsFillSymbol:
    """A fill symbol with ``layer``'s outline colour and no fill."""
    colour, width = "214,150,0,255", "0.8"
    renderer = layer.renderer()
    symbol = renderer.symbol() if isinstance(renderer, QgsSingleSymbolRenderer) else None
    if symbol is not None and symbol.symbolLayerCount():
        first = symbol.symbolLayer(0)
        if hasattr(first, "strokeColor"):
            c = first.strokeColor()
            colour = f"{c.red()},{c.green()},{c.blue()},{c.alpha()}"
        if hasattr(first, "strokeWidth") and first.strokeWidth() > 0:
            width = str(first.strokeWidth())
    return QgsFillSymbol.createSimple({"style": "no", "outline_color": colour,
                                       "outline_width": width, "outline_width_unit": "MM"})


def _same_file(a: str, b: "os.PathLike[str] | str") -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _decode(layer: QgsMapLayer) -> Dict[str, str]:
    provider = layer.providerType()
    parts = QgsProviderRegistry.instance().decodeUri(provider, layer.source()) or {}
    return {"path": str(parts.get("path") or ""), "layer": str(parts.get("layerName") or "")}


def find_layer(project: QgsProject, path: "os.PathLike[str] | str",
               layer_name: Optional[str] = None) -> Optional[QgsMapLayer]:
    """A valid layer of ``project`` reading ``path`` (and ``layer_name`` in it), if any."""
    for layer in project.mapLayers().values():
        if not layer.isValid() or layer.customProperty(ROLE_PROPERTY):
            continue  # the report's own layers (the place's outline) are not the file's
        parts = _decode(layer)
        if not parts["path"] or not _same_file(parts["path"], path):
            continue
        if layer_name is None or parts["layer"] == layer_name:
            return layer
    return None


class ReportLayers:
    """The assessment's layers the report draws, reused from or added to ``project``.

    Parameters
    ----------
    project : QgsProject
        The project the layout belongs to.
    content : ReportContent
        The report's content (the assessment's path, place name, layers and rasters).
    """

    def __init__(self, project: QgsProject, content: "ReportContent") -> None:
        self.project = project
        self.content = content
        self.group = content.place_name
        self._layers: Dict[str, Optional[QgsMapLayer]] = {}
        #: Why a layer or raster is not drawn, in the report's language, in order of asking.
        self.notes: Dict[str, str] = {}

    def vector(self, name: str) -> Optional[QgsVectorLayer]:
        """The vector layer ``name`` of the assessment; None (with a note) when it is not there."""
        if name not in self._layers:
            path = self.content.path
            layer: Optional[QgsMapLayer] = None
            if name in self.content.layers:
                layer = find_layer(self.project, path, name)
                if layer is None:
                    layer = QgsVectorLayer(f"{path}|layername={name}",
                                           f"{self.group} – {name}", "ogr")
                    if layer.isValid():
                        layer.loadDefaultStyle()
                        self._add(layer)
                    else:
                        layer = None
            if layer is None:
                self.notes[name] = self.content.t("layer_missing", layer=name)
            self._layers[name] = layer
        return self._layers[name]  # type: ignore[return-value]

    def place_outline(self) -> Optional[QgsVectorLayer]:
        """The place drawn as its outline only (the filled default would tint the rasters under
        it and so misstate their classes); a layer of its own in the place's group."""
        if "place_outline" not in self._layers:
            uri = f"{self.content.path}|layername=place"
            layer: Optional[QgsMapLayer] = next(
                (lyr for lyr in self.project.mapLayers().values()
                 if lyr.customProperty(ROLE_PROPERTY) == "place_outline"
                 and _decode(lyr)["layer"] == "place"
                 and _same_file(_decode(lyr)["path"], self.content.path)), None)
            if layer is None:
                layer = QgsVectorLayer(uri, f"{self.group} – {self.content.t('place_outline')}",
                                       "ogr")
                if layer.isValid():
                    layer.loadDefaultStyle()
                    layer.setRenderer(QgsSingleSymbolRenderer(_outline_symbol(layer)))
                    layer.setCustomProperty(ROLE_PROPERTY, "place_outline")
                    self._add(layer)
                else:
                    layer = None
                    self.notes["place"] = self.content.t("layer_missing", layer="place")
            self._layers["place_outline"] = layer
        return self._layers["place_outline"]  # type: ignore[return-value]

    def raster(self, name: str) -> Optional[QgsRasterLayer]:
        """The raster ``name`` beside the assessment, styled by its ``.qml``; None (with a note)
        when it is missing or unreadable."""
        if name not in self._layers:
            ref = self.content.rasters.get(name)
            path = ref.path if ref is not None else None
            layer: Optional[QgsMapLayer] = None
            if path is not None:
                layer = find_layer(self.project, path)
                if layer is None:
                    layer = QgsRasterLayer(str(path), f"{self.group} – {name}", "gdal")
                    if layer.isValid():
                        qml = Path(path).with_suffix(".qml")
                        if qml.is_file():
                            layer.loadNamedStyle(str(qml))
                        self._add(layer)
                    else:
                        reason = layer.error().summary() or "GDAL"
                        self.notes[name] = self.content.t(
                            "raster_unreadable", what=self.content.t(f"what_{name}"),
                            file=Path(path).name, reason=reason)
                        layer = None
            elif ref is not None and ref.message:
                self.notes[name] = ref.message
            self._layers[name] = layer
        return self._layers[name]  # type: ignore[return-value]

    def _add(self, layer: QgsMapLayer) -> None:
        """Add ``layer`` to the project, in the place's group (made when missing), unchecked."""
        self.project.addMapLayer(layer, False)
        root = self.project.layerTreeRoot()
        group = root.findGroup(self.group) or root.insertGroup(0, self.group)
        node = group.addLayer(layer)
        if node is not None:
            node.setItemVisibilityChecked(False)
