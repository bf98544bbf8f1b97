"""Opening algorithm outputs in the project when a run ends, styled.

Vector layers in our GeoPackages carry their default style in the ``layer_styles`` table, so
QGIS styles them on load; GeoTIFFs get the ``.qml`` written beside them applied by a layer
post-processor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from qgis.core import QgsProcessingContext, QgsProcessingLayerPostProcessorInterface, QgsProject


class QmlStyler(QgsProcessingLayerPostProcessorInterface):
    """Apply a QML file to a layer when Processing loads it into the project."""

    def __init__(self, qml: str) -> None:
        super().__init__()
        self.qml = qml

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None and Path(self.qml).exists():
            layer.loadNamedStyle(self.qml)
            layer.triggerRepaint()


class DefaultStyler(QgsProcessingLayerPostProcessorInterface):
    """Apply the layer's default style (our GeoPackages store one per layer) after loading.

    Processing loads result layers without their default style, so without this the layers
    would open in QGIS's random single-symbol style.
    """

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is not None:
            layer.loadDefaultStyle()
            layer.triggerRepaint()


#: Post-processors must outlive processAlgorithm: QGIS keeps only a raw pointer to them.
_STYLERS: Dict[str, QgsProcessingLayerPostProcessorInterface] = {}


def load_on_completion(context: QgsProcessingContext, path: str, layer: str, title: str) -> None:
    """Open ``layer`` of the GeoPackage ``path`` when the run ends, with its default style."""
    project = context.project() or QgsProject.instance()
    if project is None:
        return
    uri = f"{path}|layername={layer}"
    details = QgsProcessingContext.LayerDetails(title, project, layer)
    details.setPostProcessor(_STYLERS.setdefault(uri, DefaultStyler()))
    context.addLayerToLoadOnCompletion(uri, details)


def style_raster_on_load(context: QgsProcessingContext, path: str) -> None:
    """Style the raster output ``path`` with the ``.qml`` beside it when Processing loads it."""
    if context.willLoadLayerOnCompletion(path):
        styler = _STYLERS.setdefault(path, QmlStyler(str(Path(path).with_suffix(".qml"))))
        context.layerToLoadOnCompletionDetails(path).setPostProcessor(styler)
