"""Opening algorithm outputs in the project when a run ends, styled.

Vector layers in our GeoPackages carry their default style in the ``layer_styles`` table, so
QGIS styles them on load; GeoTIFFs get the ``.qml`` written beside them applied by a layer
post-processor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from qgis.core import (QgsProcessingContext, QgsProcessingLayerPostProcessorInterface,
                       QgsProject)


class QmlStyler(QgsProcessingLayerPostProcessorInterface):
    """Apply a QML file to a layer when Processing loads it into the project."""

    def __init__(self, qml: str) -> None:
        super().__init__()
        self.qml = qml

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None and Path(self.qml).exists():
            layer.loadNamedStyle(self.qml)
            layer.triggerRepaint()


#: Post-processors must outlive processAlgorithm: QGIS keeps only a raw pointer to them.
_STYLERS: Dict[str, QmlStyler] = {}


def load_on_completion(context: QgsProcessingContext, path: str, layer: str, title: str) -> None:
    """Open ``layer`` of the GeoPackage ``path`` (with its default style) when the run ends."""
    project = context.project() or QgsProject.instance()
    if project is None:
        return
    details = QgsProcessingContext.LayerDetails(title, project, layer)
    context.addLayerToLoadOnCompletion(f"{path}|layername={layer}", details)


def style_raster_on_load(context: QgsProcessingContext, path: str) -> None:
    """Style the raster output ``path`` with the ``.qml`` beside it when Processing loads it."""
    if context.willLoadLayerOnCompletion(path):
        styler = _STYLERS.setdefault(path, QmlStyler(str(Path(path).with_suffix(".qml"))))
        context.layerToLoadOnCompletionDetails(path).setPostProcessor(styler)
