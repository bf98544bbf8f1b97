"""Enum values that moved between QGIS 3.22 and QGIS 3.36+/4 (scoped ``Qgis.*`` enums).

QGIS 3.36 introduced scoped enums such as ``Qgis.ProcessingSourceType``; the old unscoped names
are deprecated and are not guaranteed in QGIS 4 (Qt6). Import the values from here so the
algorithms run on 3.22 (our minimum) and on 3.40 LTR / 4.x alike.
"""

from __future__ import annotations

from qgis.core import Qgis, QgsProcessing, QgsProcessingParameterFile, QgsProcessingParameterNumber

try:
    NUMBER_DOUBLE = Qgis.ProcessingNumberParameterType.Double
    NUMBER_INTEGER = Qgis.ProcessingNumberParameterType.Integer
except AttributeError:  # QGIS < 3.36
    NUMBER_DOUBLE = QgsProcessingParameterNumber.Double
    NUMBER_INTEGER = QgsProcessingParameterNumber.Integer

try:
    SOURCE_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
    SOURCE_POINT = Qgis.ProcessingSourceType.VectorPoint
    SOURCE_LINE = Qgis.ProcessingSourceType.VectorLine
    SOURCE_ANY_GEOMETRY = Qgis.ProcessingSourceType.VectorAnyGeometry
    SOURCE_VECTOR = Qgis.ProcessingSourceType.Vector
except AttributeError:  # QGIS < 3.36
    SOURCE_POLYGON = QgsProcessing.TypeVectorPolygon
    SOURCE_POINT = QgsProcessing.TypeVectorPoint
    SOURCE_LINE = QgsProcessing.TypeVectorLine
    SOURCE_ANY_GEOMETRY = QgsProcessing.TypeVectorAnyGeometry
    SOURCE_VECTOR = QgsProcessing.TypeVector

try:
    FILE_FOLDER = Qgis.ProcessingFileParameterBehavior.Folder
    FILE_FILE = Qgis.ProcessingFileParameterBehavior.File
except AttributeError:  # QGIS < 3.36
    FILE_FOLDER = QgsProcessingParameterFile.Folder
    FILE_FILE = QgsProcessingParameterFile.File

# -- print layouts and algorithm flags (amp:sitereport) -----------------------------------------
# Enums that stayed inside their class (QgsLayoutTable.WrapBehavior, QgsLayoutMultiFrame.ResizeMode,
# QgsLayoutExporter.ExportResult, ...) are used fully scoped, which works on 3.22 and on 4.x.
from qgis.core import QgsLayoutItemPicture, QgsLegendStyle, QgsProcessingAlgorithm, QgsUnitTypes  # noqa: E402

try:
    ALGORITHM_NO_THREADING = Qgis.ProcessingAlgorithmFlag.NoThreading
except AttributeError:  # QGIS < 3.36
    ALGORITHM_NO_THREADING = QgsProcessingAlgorithm.FlagNoThreading

try:
    DISTANCE_METERS = Qgis.DistanceUnit.Meters
except AttributeError:  # older QGIS (3.22): the enum in QgsUnitTypes
    DISTANCE_METERS = QgsUnitTypes.DistanceMeters

try:
    LEGEND_TITLE = Qgis.LegendComponent.Title
    LEGEND_GROUP = Qgis.LegendComponent.Group
    LEGEND_SUBGROUP = Qgis.LegendComponent.Subgroup
    LEGEND_SYMBOL_LABEL = Qgis.LegendComponent.SymbolLabel
except AttributeError:  # older QGIS (3.22): the enum in QgsLegendStyle
    LEGEND_TITLE = QgsLegendStyle.Title
    LEGEND_GROUP = QgsLegendStyle.Group
    LEGEND_SUBGROUP = QgsLegendStyle.Subgroup
    LEGEND_SYMBOL_LABEL = QgsLegendStyle.SymbolLabel

try:
    PICTURE_SVG = Qgis.PictureFormat.SVG
    PICTURE_RASTER = Qgis.PictureFormat.Raster
except AttributeError:  # older QGIS (3.22): the enum in QgsLayoutItemPicture
    PICTURE_SVG = QgsLayoutItemPicture.FormatSVG
    PICTURE_RASTER = QgsLayoutItemPicture.FormatRaster

try:
    TEXT_ALWAYS_TEXT = Qgis.TextRenderFormat.AlwaysText
except AttributeError:  # older QGIS (3.22): the enum in QgsRenderContext
    from qgis.core import QgsRenderContext  # noqa: E402

    TEXT_ALWAYS_TEXT = QgsRenderContext.TextFormatAlwaysText
