"""The real QGIS desktop (under Xvfb) loads the plugin through initGui and runs an algorithm.

pytest-qgis gives a stub ``iface``; this starts ``qgis`` itself with a throwaway profile in which
the plugin is enabled, runs a start-up script that checks the provider, runs
``amp:fetchplacedata`` with ``processing.runAndLoadResults`` (as the toolbox does), records what
was loaded into the project and how it is styled, then quits through the File > Exit action.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STARTUP = textwrap.dedent('''
    import json, traceback
    from qgis.core import QgsApplication, QgsProject
    from qgis.utils import iface, active_plugins
    from qgis.PyQt.QtCore import QTimer

    def check():
        report = {"active": list(active_plugins)}
        try:
            provider = QgsApplication.processingRegistry().providerById("amp")
            report["algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []
            from qgis import processing
            processing.runAndLoadResults("amp:fetchplacedata", {
                "OSM_FILE": OSM, "PLACE_NAME": "Senaatintori", "RADIUS": 150, "OUTPUT": OUT})
            layers = QgsProject.instance().mapLayers().values()
            report["loaded"] = sorted(l.name() for l in layers)
            report["renderers"] = {l.name(): l.renderer().type() for l in layers
                                   if hasattr(l, "renderer") and l.renderer()}
        except Exception:
            report["error"] = traceback.format_exc()
        with open(REPORT, "w") as fh:
            json.dump(report, fh)
        QgsProject.instance().clear()  # no "save the project?" question on exit
        QTimer.singleShot(300, iface.actionExit().trigger)

    QTimer.singleShot(3000, check)
''')


@pytest.mark.skipif(not shutil.which("xvfb-run") or not shutil.which("qgis"),
                    reason="needs the qgis desktop and xvfb-run")
def test_desktop_loads_plugin_and_runs_fetch(tmp_path, sample_osm):
    plugins, profiles = tmp_path / "plugins", tmp_path / "profiles"
    plugins.mkdir()
    (plugins / "amp_qgis_plugin").symlink_to(ROOT / "amp_qgis_plugin")
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"  # <profiles-path>/profiles/<name>
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\namp_qgis_plugin=true\n[qgis]\nshowTips=false\n")
    report, out = tmp_path / "report.json", tmp_path / "senaatintori.gpkg"
    script = tmp_path / "startup.py"
    script.write_text(f"OSM = {str(sample_osm)!r}\nOUT = {str(out)!r}\nREPORT = {str(report)!r}\n"
                      + STARTUP)
    env = dict(os.environ, QGIS_PLUGINPATH=str(plugins),
               PYTHONPATH=sysconfig.get_paths()["purelib"])
    env.pop("QT_QPA_PLATFORM", None)  # a real (virtual) X display, as a user's desktop
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "qgis", "--profiles-path",
         str(profiles), "--nologo", "--code", str(script)],
        env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert report.exists(), result.stdout[-2000:] + result.stderr[-2000:]
    data = json.loads(report.read_text())
    assert "error" not in data, data.get("error")
    assert "amp_qgis_plugin" in data["active"]
    assert {"amp:fetchplacedata", "amp:lightingmap", "amp:sightlines"} <= set(data["algorithms"])
    assert any(name.endswith("Street lamps") for name in data["loaded"]), data["loaded"]
    pois = next(name for name in data["renderers"] if name.endswith("Points of interest"))
    assert data["renderers"][pois] == "categorizedSymbol"  # the embedded default style applied
    assert result.returncode == 0, result.stderr[-2000:]  # QGIS quit cleanly, no crash at exit
