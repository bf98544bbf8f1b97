"""``amp:fetchplacedata``: a place's data from OSM and municipal layers into one GeoPackage."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Dict

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsProcessingContext,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterPoint,
    QgsProcessingParameterString,
)

from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.compat import FILE_FOLDER, NUMBER_DOUBLE, SOURCE_POLYGON, SOURCE_VECTOR
from amp_qgis_plugin.processing.i18n import tr
from amp_qgis_plugin.processing.outputs import load_on_completion

SOURCES = (("Local OSM file (.osm, .osm.bz2, .osm.pbf)", "Lokal OSM-fil (.osm, .osm.bz2, .osm.pbf)"),
           ("Overpass API (internet)", "Overpass API (internet)"))


class FetchPlaceDataAlgorithm(AmpAlgorithm):
    """Fetch place data into a PlaceData GeoPackage."""

    NAME = "fetchplacedata"
    DISPLAY = ("Fetch place data", "Hämta platsdata")
    GROUP = "data"
    REQUIRES = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "osmium")
    HELP = (
        "Collects everything the AMP analysis needs about one place into one GeoPackage: the "
        "place polygon and its study area, buildings, entrances, points of interest with an AMP "
        "category, seating, street lamps, trees, litter bins, walkable paths, public transport "
        "stops and barriers, plus a provenance table (sources, OSM data date, parameters, "
        "software versions). Give the place as the name of an OSM square, a polygon layer, or a "
        "point and a radius. The data comes from a local OSM file (the bundled central-Helsinki "
        "sample by default) or the Overpass API, optionally completed by municipal registers "
        "mapped with a field-mapping preset. The layers open styled in QGIS. OSM data (c) "
        "OpenStreetMap contributors, ODbL 1.0.",
        "Samlar allt AMP-analysen behöver om en plats i en GeoPackage: platsens polygon och "
        "studieområde, byggnader, entréer, målpunkter med AMP-kategori, sittplatser, gatubelysning, "
        "träd, papperskorgar, gångvägar, hållplatser och barriärer, samt en tabell över källor "
        "(datakällor, OSM-datum, parametrar, programversioner). Ange platsen som namnet på ett "
        "torg i OSM, ett polygonlager, eller en punkt och en radie. Data hämtas från en lokal "
        "OSM-fil (som standard det medföljande exemplet från centrala Helsingfors) eller från "
        "Overpass API, och kan kompletteras med kommunala register via en fältmappning. OSM-data "
        "(c) OpenStreetMaps bidragsgivare, ODbL 1.0.")

    SOURCE, OSM_FILE, OVERPASS_URL, OVERPASS_CACHE, CACHE_ONLY = (
        "SOURCE", "OSM_FILE", "OVERPASS_URL", "OVERPASS_CACHE", "CACHE_ONLY")
    PLACE_NAME, PLACE, POINT, PLACE_RADIUS, RADIUS, MAX_PLACE_AREA = (
        "PLACE_NAME", "PLACE", "POINT", "PLACE_RADIUS", "RADIUS", "MAX_PLACE_AREA")
    SEARCH_EXTENT = "SEARCH_EXTENT"
    MUNICIPAL_SLOTS = 2
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.data.overpass.config import DEFAULT_URL
        from amp_qgis_plugin.core.place import PlaceOptions

        sample = Path(__file__).resolve().parents[2] / "resources" / "sample" / "helsinki-centre.osm.pbf"
        self.add(QgsProcessingParameterEnum(self.SOURCE, tr("OSM source", "OSM-källa"),
                                            options=[tr(*s) for s in SOURCES], defaultValue=0),
                 "Where the OpenStreetMap data comes from: a local file, or the Overpass API "
                 "(needs internet; replies are cached).",
                 "Varifrån OpenStreetMap-data kommer: en lokal fil, eller Overpass API (kräver "
                 "internet; svaren sparas i en cache).")
        self.add(QgsProcessingParameterFile(self.OSM_FILE, tr("Local OSM file", "Lokal OSM-fil"),
                                            fileFilter="OSM files (*.osm *.pbf *.bz2 *.gz)",
                                            defaultValue=str(sample), optional=True),
                 "An .osm, .osm.bz2 or .osm.pbf file covering the place and its study area. Large "
                 "city extracts are streamed. Default: the bundled central-Helsinki sample (2019).",
                 "En .osm-, .osm.bz2- eller .osm.pbf-fil som täcker platsen och studieområdet. Stora "
                 "stadsutdrag läses strömmande. Standard: medföljande exempel från Helsingfors (2019).")
        self.add(QgsProcessingParameterString(self.PLACE_NAME, tr("Place name (OSM square)",
                                                                  "Platsens namn (torg i OSM)"),
                                              optional=True),
                 "Name of a square or pedestrian area in the OSM data, e.g. 'Senaatintori'. Areas "
                 "win over bus stops and streets of the same name. Leave empty when you give a "
                 "polygon or a point.",
                 "Namnet på ett torg eller gågatuområde i OSM-data, t.ex. 'Stortorget'. Ytor går "
                 "före hållplatser och gator med samma namn. Lämna tomt om du anger en polygon "
                 "eller en punkt.")
        self.add(QgsProcessingParameterFeatureSource(self.PLACE, tr("Place polygon", "Platsens polygon"),
                                                     [SOURCE_POLYGON], optional=True),
                 "A polygon layer with the place (any CRS; selected features only if you tick it). "
                 "Several polygons are merged into one place.",
                 "Ett polygonlager med platsen (valfritt koordinatsystem; bara valda objekt om du "
                 "kryssar i det). Flera polygoner slås ihop till en plats.")
        self.add(QgsProcessingParameterPoint(self.POINT, tr("Place centre point", "Platsens mittpunkt"),
                                             optional=True),
                 "The centre of a circular place (use with 'Place radius'), in any CRS.",
                 "Mittpunkten för en cirkulär plats (används med 'Platsens radie').")
        self.add(QgsProcessingParameterNumber(self.PLACE_RADIUS, tr("Place radius (m)", "Platsens radie (m)"),
                                              NUMBER_DOUBLE, 40.0,
                                              optional=True, minValue=1.0, maxValue=1000.0),
                 "Radius of the circular place around the centre point, in metres.",
                 "Radien för den cirkulära platsen runt mittpunkten, i meter.")
        self.add(QgsProcessingParameterNumber(self.RADIUS, tr("Study-area radius (m)",
                                                              "Studieområdets radie (m)"),
                                              NUMBER_DOUBLE,
                                              PlaceOptions.default("study_radius_m"), minValue=10.0,
                                              maxValue=5000.0),
                 "How far around the place data is collected. The default holds a 10-minute "
                 "walk at 1.3 m/s (780 m).",
                 "Hur långt runt platsen data hämtas. Standardvärdet rymmer tio minuters "
                 "promenad i 1,3 m/s (780 m).")
        self.add(QgsProcessingParameterNumber(self.MAX_PLACE_AREA, tr("Largest place area (m²)",
                                                                      "Största platsyta (m²)"),
                                              NUMBER_DOUBLE,
                                              PlaceOptions.default("max_place_area_m2"),
                                              minValue=100.0),
                 "Places larger than this are refused (a square or a town-centre street is far "
                 "smaller; most renowned European squares are under 10,000 m²).",
                 "Större platser än så avvisas (ett torg eller en centrumgata är mycket mindre; de "
                 "flesta kända europeiska torg är under 10 000 m²).", advanced=True)
        self.add(QgsProcessingParameterString(self.OVERPASS_URL,
                                              tr("Overpass API URL", "Overpass API-adress"),
                                              defaultValue=DEFAULT_URL),
                 "The Overpass server to ask when the source is the Overpass API.",
                 "Den Overpass-server som används när källan är Overpass API.", advanced=True)
        self.add(QgsProcessingParameterFile(self.OVERPASS_CACHE,
                                            tr("Overpass cache folder", "Cachemapp för Overpass"),
                                            behavior=FILE_FOLDER, optional=True),
                 "Folder for cached Overpass replies (default: 'amp/overpass-cache' in the QGIS "
                 "profile folder). Reruns and batch runs reuse it.",
                 "Mapp för sparade Overpass-svar (standard: 'amp/overpass-cache' i QGIS-profilen). "
                 "Omkörningar och batchkörningar återanvänder den.", advanced=True)
        self.add(QgsProcessingParameterExtent(self.SEARCH_EXTENT,
                                              tr("Where to look for the place name (Overpass)",
                                                 "Var platsnamnet söks (Overpass)"), optional=True),
                 "With the Overpass API and a place name: the area to search, e.g. the "
                 "municipality. Without it the whole world is searched, which is slow.",
                 "Med Overpass API och ett platsnamn: området att söka i, t.ex. kommunen. Utan "
                 "det söks hela världen, vilket går långsamt.", advanced=True)
        self.add(QgsProcessingParameterBoolean(self.CACHE_ONLY, tr("Use cached Overpass replies only",
                                                                   "Använd bara sparade Overpass-svar"),
                                               defaultValue=False),
                 "Never contact the Overpass server; fail if a reply is not in the cache (for "
                 "batch runs).",
                 "Kontakta aldrig Overpass-servern; avbryt om svaret inte finns i cachen (för "
                 "batchkörningar).", advanced=True)
        for i in range(1, self.MUNICIPAL_SLOTS + 1):
            self.add(QgsProcessingParameterFeatureSource(f"MUNICIPAL_{i}",
                                                         tr(f"Municipal layer {i}", f"Kommunalt lager {i}"),
                                                         [SOURCE_VECTOR], optional=True),
                     "A municipal register (lamps, benches, trees, buildings ...) to add to or "
                     "replace the OSM data; needs a field-mapping preset.",
                     "Ett kommunalt register (belysning, bänkar, träd, byggnader ...) som "
                     "kompletterar eller ersätter OSM-data; kräver en fältmappning.", advanced=True)
            self.add(QgsProcessingParameterString(f"MAPPING_{i}",
                                                  tr(f"Field mapping for layer {i}",
                                                     f"Fältmappning för lager {i}"),
                                                  optional=True),
                     "Name of a mapping preset (e.g. 'lamp-register-example'; your own presets "
                     "saved in the QGIS profile folder under amp/mappings come first) or the path "
                     "of a mapping .json file. 'amp-place presets' lists them.",
                     "Namnet på en fältmappning (t.ex. 'lamp-register-example'; egna mappningar "
                     "sparade i QGIS-profilens mapp amp/mappings går först) eller sökvägen till en "
                     "mappningsfil (.json). 'amp-place presets' listar dem.", advanced=True)
        self.add(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Place data GeoPackage",
                                                                       "Platsdata (GeoPackage)"),
                                                       fileFilter="GeoPackage (*.gpkg)"),
                 "The GeoPackage to write. It is written completely or not at all.",
                 "GeoPackage-filen som skrivs. Den skrivs helt eller inte alls.")

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.errors import InputError
        from amp_qgis_plugin.core.fetch import FetchRequest, MunicipalSource, fetch_to_geopackage
        from amp_qgis_plugin.processing.convert import source_to_geodataframe, source_to_temp_gpkg

        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if not out.lower().endswith(".gpkg"):
            out += ".gpkg"
        request = FetchRequest(
            study_radius_m=self.parameterAsDouble(parameters, self.RADIUS, context),
            max_place_area_m2=self.parameterAsDouble(parameters, self.MAX_PLACE_AREA, context))
        request.place_name = (self.parameterAsString(parameters, self.PLACE_NAME, context) or "").strip()
        place = self.parameterAsSource(parameters, self.PLACE, context)
        if place is not None:
            request.place_frame = source_to_geodataframe(place, feedback)
        if parameters.get(self.POINT):
            point = self.parameterAsPoint(parameters, self.POINT, context,
                                          QgsCoordinateReferenceSystem("EPSG:4326"))
            request.point = (point.x(), point.y())
            request.point_radius_m = self.parameterAsDouble(parameters, self.PLACE_RADIUS, context)
        if self.parameterAsEnum(parameters, self.SOURCE, context) == 1:
            from amp_qgis_plugin.core.data.overpass import OverpassConfig

            cache = self.parameterAsFile(parameters, self.OVERPASS_CACHE, context)
            if not cache:  # the QGIS profile folder, never the current directory
                cache = str(Path(QgsApplication.qgisSettingsDirPath()) / "amp" / "overpass-cache")
            if parameters.get(self.SEARCH_EXTENT):
                extent = self.parameterAsExtent(parameters, self.SEARCH_EXTENT, context,
                                                QgsCoordinateReferenceSystem("EPSG:4326"))
                request.search_bbox = (extent.xMinimum(), extent.yMinimum(),
                                       extent.xMaximum(), extent.yMaximum())
            request.overpass = OverpassConfig(
                url=self.parameterAsString(parameters, self.OVERPASS_URL, context),
                cache_dir=Path(cache),
                cache_only=self.parameterAsBool(parameters, self.CACHE_ONLY, context))
        else:
            request.osm_file = self.parameterAsFile(parameters, self.OSM_FILE, context)
            if not request.osm_file:
                raise InputError("Choose a local OSM file, or switch the source to the Overpass API.")
        # the user's own presets live in the QGIS profile (amp/mappings), before the bundled ones
        request.mapping_dir = str(Path(QgsApplication.qgisSettingsDirPath()) / "amp" / "mappings")
        with tempfile.TemporaryDirectory(prefix="amp-municipal-") as tmp:
            for i in range(1, self.MUNICIPAL_SLOTS + 1):
                layer = self.parameterAsSource(parameters, f"MUNICIPAL_{i}", context)
                mapping = self.parameterAsString(parameters, f"MAPPING_{i}", context)
                if layer is None and not mapping:
                    continue
                if layer is None or not mapping:
                    raise InputError(f"Municipal layer {i} needs both a layer and a field mapping.")
                request.municipal.append(MunicipalSource(source_to_temp_gpkg(layer, tmp), mapping))
            path, data = fetch_to_geopackage(request, out, feedback=feedback)
        counts = {n: len(data[n]) for n in data.layers}
        feedback.pushInfo(tr("Wrote ", "Skrev ") + f"{path}: " +
                          ", ".join(f"{n} {c}" for n, c in counts.items()))
        from amp_qgis_plugin.core.data.schema import FEATURE_LAYERS, LAYERS

        for name in reversed(FEATURE_LAYERS):  # place drawn on top
            load_on_completion(context, str(path), name, f"{data.name} – {LAYERS[name].title}")
        return {self.OUTPUT: str(path)}


ALGORITHMS = [FetchPlaceDataAlgorithm]
