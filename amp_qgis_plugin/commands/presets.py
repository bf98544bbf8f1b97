"""``amp-place presets``: list, show and copy the field-mapping presets for municipal layers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

NAME = "presets"
HELP = "List, show or copy the field-mapping presets for municipal layers (lamps, benches ...)."
ORDER = 90


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the presets options to ``parser``."""
    parser.add_argument("--mapping-dir", metavar="DIR", default=None,
                        help="folder of your own presets (default: $AMP_MAPPING_DIR or "
                             "~/.config/amp-place/mappings)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--show", metavar="NAME", help="print a preset as JSON")
    action.add_argument("--copy", nargs=2, metavar=("NAME", "NEW_NAME"),
                        help="copy a preset into your folder under a new name, to edit its "
                             "field names for your register")
    parser.add_argument("--lang", choices=("en", "sv"), default="en",
                        help="language of the descriptions (default: the language of the run, "
                             "see amp-place --lang)")


def run(args: argparse.Namespace, feedback) -> int:
    """List the presets, or show or copy one."""
    from dataclasses import replace

    from amp_qgis_plugin.commands.fetch import default_mapping_dir
    from amp_qgis_plugin.core.data import municipal as mun

    user_dir = Path(args.mapping_dir) if args.mapping_dir else default_mapping_dir()
    if args.show:
        print(json.dumps(mun.load_preset(args.show, user_dir=user_dir).to_dict(),
                         ensure_ascii=False, indent=2))
        return 0
    if args.copy:
        source, new_name = args.copy
        mapping = replace(mun.load_preset(source, user_dir=user_dir), name=new_name)
        path = mun.save_preset(mapping, user_dir / f"{new_name}.json")
        from amp_qgis_plugin.commands._output import say

        print(say(f"Wrote {path}; edit its field names, then use --mapping {new_name}",
                  f"Skrev {path}; ändra dess fältnamn och använd sedan --mapping {new_name}"))
        return 0
    for name, path in mun.preset_paths(user_dir).items():
        mapping = mun.load_preset(path)
        where = "yours" if path.parent.resolve() == user_dir.resolve() else "bundled"
        text = mapping.description.get(args.lang) or mapping.description.get("en", "")
        print(f"{name}  ({mapping.target}, {mapping.mode}, {where})\n    {text}")
    return 0
