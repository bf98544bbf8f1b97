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


class GroupStyler(QgsProcessingLayerPostProcessorInterface):
    """Style a loaded layer (default style or a QML) and move it into a layer-tree group."""

    def __init__(self, group: str, qml: str = "") -> None:
        super().__init__()
        self.group = group
        self.qml = qml

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        if layer is None:
            return
        if self.qml and Path(self.qml).exists():
            layer.loadNamedStyle(self.qml)
        else:
            layer.loadDefaultStyle()
        layer.triggerRepaint()
        project = context.project() or QgsProject.instance()
        root = project.layerTreeRoot()
        group = root.findGroup(self.group) or root.insertGroup(0, self.group)
        node = root.findLayer(layer.id())
        if node is not None and node.parent() is not group:
            group.addChildNode(node.clone())
            node.parent().removeChildNode(node)


#: Layers of an assessment opened in QGIS, top to bottom (the rest stay in the GeoPackage).
ASSESSMENT_LAYERS = ("scenario_changes", "place", "place_entrances", "frontage", "seating_audit",
                     "lamps_used",
                     "dark_gaps", "concealment_pockets", "visible_from_streets", "catchments",
                     "walk_edges", "transit_access")


def load_group_on_completion(context: QgsProcessingContext, written: Dict[str, Path],
                             group: str) -> None:
    """Open an assessment's main layers and rasters, styled, in one layer-tree group ``group``."""
    import pyogrio

    project = context.project() or QgsProject.instance()
    if project is None:
        return
    gpkg = str(written["gpkg"])
    present = {name for name, gtype in pyogrio.list_layers(gpkg) if gtype}
    for name in ASSESSMENT_LAYERS:
        if name not in present:
            continue
        uri = f"{gpkg}|layername={name}"
        details = QgsProcessingContext.LayerDetails(f"{group} – {name}", project, name)
        details.setPostProcessor(_STYLERS.setdefault(f"group:{uri}", GroupStyler(group)))
        context.addLayerToLoadOnCompletion(uri, details)
    for key, path in written.items():
        if key == "gpkg":
            continue
        details = QgsProcessingContext.LayerDetails(f"{group} – {key}", project, key)
        styler = GroupStyler(group, str(Path(path).with_suffix(".qml")))
        details.setPostProcessor(_STYLERS.setdefault(f"group:{path}", styler))
        context.addLayerToLoadOnCompletion(str(path), details)
