"""Sub-commands of the ``amp-place`` command line, one module each.

A command module defines ``NAME``, ``HELP``, ``ORDER``, ``add_arguments(parser)`` and
``run(args, feedback) -> int``; :mod:`amp_qgis_plugin.cli` discovers them, so adding a command
means adding a module here and nothing else.
"""
