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
