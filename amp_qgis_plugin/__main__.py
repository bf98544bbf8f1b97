"""``python -m amp_qgis_plugin`` runs the ``amp-place`` command line."""

import sys

from amp_qgis_plugin.cli import main

sys.exit(main())
