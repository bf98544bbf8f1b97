"""``amp:viewshed``: what a person standing at a point can see over a DSM (GDAL viewshed)."""

from __future__ import annotations

from typing import Any, Dict

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingOutputNumber,
    QgsProcessingParameterPoint,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from amp_qgis_plugin.core.errors import InputError
from amp_qgis_plugin.processing.base import AmpAlgorithm
from amp_qgis_plugin.processing.i18n import tr
from amp_qgis_plugin.processing.outputs import style_raster_on_load


class ViewshedAlgorithm(AmpAlgorithm):
    """DSM viewshed of one observer (terrain and buildings) with GDAL's viewshed."""

    NAME = "viewshed"
    DISPLAY = ("Viewshed over a surface model (DSM)", "Siktanalys över ytmodell (DSM)")
    GROUP = "safety"
    REQUIRES = ("numpy", "pyproj", "rasterio", "osgeo")
    HELP = (
        "Marks the cells of a digital surface model (terrain with buildings, trees and other "
        "objects, heights in metres, projected CRS in metres) that a person standing at the "
        "observer point can see, within a radius (by default Gehl's social field of "
        "vision). The eye is 1.6 m above the surface; a cell counts as visible when a target "
        "the given height above the surface there can be seen (0 m: the surface itself; "
        "1.6 m: another person's face). Uses GDAL's viewshed, the algorithm behind QGIS's own "
        "'Viewshed' tool. Writes a GeoTIFF on the DSM's grid (1 visible, 0 not visible, nodata "
        "outside the radius) and reports the visible share of the cells within the radius.",
        "Markerar de celler i en digital ytmodell (terräng med byggnader, träd och andra "
        "objekt, höjder i meter, projicerat koordinatsystem i meter) som en person som står i "
        "observationspunkten kan se, inom en radie (100 m som standard, Gehls sociala synfält). "
        "Ögat är 1,6 m över ytan; en cell räknas som synlig när ett mål på angiven höjd över "
        "ytan där kan ses (0 m: själva ytan; 1,6 m: en annan persons ansikte). Använder GDAL:s "
        "siktanalys, samma algoritm som QGIS eget verktyg 'Viewshed'. Skriver en GeoTIFF i "
        "ytmodellens rutnät (1 synlig, 0 inte synlig, nodata utanför radien) och redovisar "
        "andelen synliga celler inom radien.")

    DSM, OBSERVER, OBSERVER_HEIGHT, TARGET_HEIGHT, RADIUS, OUTPUT = (
        "DSM", "OBSERVER", "OBSERVER_HEIGHT", "TARGET_HEIGHT", "RADIUS", "OUTPUT")

    def initAlgorithm(self, config=None):  # noqa: N802
        from amp_qgis_plugin.core.indicators.viewshed import ViewshedOptions

        self.add(QgsProcessingParameterRasterLayer(self.DSM, tr("Surface model (DSM)",
                                                                "Ytmodell (DSM)")),
                 "Digital surface model: a single-band raster of surface heights in metres "
                 "(ground plus buildings and trees) in a projected CRS in metres, north-up with "
                 "square cells, e.g. from Lantmäteriet's laser data.",
                 "Digital ytmodell: ett enbandsraster med ytans höjd i meter (mark plus "
                 "byggnader och träd) i ett projicerat koordinatsystem i meter, norrorienterat "
                 "med kvadratiska celler, t.ex. från Lantmäteriets laserdata.")
        self.add(QgsProcessingParameterPoint(self.OBSERVER, tr("Observer point",
                                                               "Observationspunkt")),
                 "Where the person stands; click on the map or type coordinates in any CRS "
                 "(they are transformed to the DSM's CRS). It must lie on the DSM.",
                 "Där personen står; klicka i kartan eller skriv koordinater i valfritt "
                 "koordinatsystem (de transformeras till ytmodellens). Punkten måste ligga på "
                 "ytmodellen.")
        self.add_option(ViewshedOptions, "observer_height_m", self.OBSERVER_HEIGHT,
                        ("Eye height (m)", "Ögonhöjd (m)"),
                        "Height of the eye above the surface in metres (1.6 m: a standing adult).",
                        "Ögats höjd över ytan i meter (1,6 m: en stående vuxen).")
        self.add_option(ViewshedOptions, "target_height_m", self.TARGET_HEIGHT,
                        ("Target height (m)", "Målhöjd (m)"),
                        "Height above the surface of what must be seen in each cell: 0 m for the "
                        "surface itself, 1.6 m to see another person's face.",
                        "Höjd över ytan för det som ska synas i varje cell: 0 m för själva ytan, "
                        "1,6 m för att se en annan persons ansikte.")
        self.add_option(ViewshedOptions, "radius_m", self.RADIUS, ("Radius (m)", "Radie (m)"),
                        "How far the viewshed reaches, in metres (Gehl's social field of vision, "
                        "where people can be recognised).",
                        "Hur långt siktanalysen når, i meter (Gehls sociala synfält, där "
                        "människor kan kännas igen).")
        self.add(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Viewshed",
                                                                         "Siktområde")),
                 "GeoTIFF on the DSM's grid: 1 visible, 0 not visible, nodata outside the radius "
                 "or where the DSM has no data. A visible/not visible style is stored beside it "
                 "(.qml).",
                 "GeoTIFF i ytmodellens rutnät: 1 synlig, 0 inte synlig, nodata utanför radien "
                 "eller där ytmodellen saknar data. En stil synlig/inte synlig sparas bredvid "
                 "(.qml).")
        self.addOutput(QgsProcessingOutputNumber("VISIBLE_SHARE", tr(
            "Visible share within the radius (%)", "Synlig andel inom radien (%)")))

    def execute(self, parameters, context: QgsProcessingContext, feedback) -> Dict[str, Any]:
        from amp_qgis_plugin.core.indicators.viewshed import (
            ViewshedOptions,
            read_dsm_info,
            viewshed,
            write_viewshed,
        )

        layer = self.parameterAsRasterLayer(parameters, self.DSM, context)
        if layer is None or not layer.isValid():
            raise InputError("The DSM layer could not be opened.")
        if layer.providerType() != "gdal":
            raise InputError("The DSM must be a raster file (GeoTIFF or another GDAL format), "
                             f"not a {layer.providerType()} layer; save it as GeoTIFF first.")
        dsm = read_dsm_info(layer.source())
        point = self.parameterAsPoint(parameters, self.OBSERVER, context, layer.crs())
        out_path = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        options = self.options_from_parameters(ViewshedOptions, parameters, context)
        radius = options.radius_m
        observer = (point.x(), point.y())
        vs = viewshed(dsm.path, observer, observer_height=options.observer_height_m,
                      target_height=options.target_height_m, max_distance=radius,
                      feedback=feedback)
        params = {"observer_x": f"{observer[0]:.2f}", "observer_y": f"{observer[1]:.2f}"}
        params.update(options.parameters())
        path = str(write_viewshed(vs, dsm, out_path, parameters=params))
        share = vs.visible_share
        if share is None:
            feedback.pushInfo(tr("Visible share: no data (no DSM cell within the radius)",
                                 "Synlig andel: inga data (ingen DSM-cell inom radien)"))
        else:
            feedback.pushInfo(tr(f"Visible share: {100 * share:.1f} % of "
                                 f"{int(vs.in_range.sum())} cells within {radius:g} m",
                                 f"Synlig andel: {100 * share:.1f} % av "
                                 f"{int(vs.in_range.sum())} celler inom {radius:g} m"))
        style_raster_on_load(context, path)
        return {self.OUTPUT: path, "VISIBLE_SHARE": None if share is None else 100 * share}


ALGORITHMS = [ViewshedAlgorithm]
