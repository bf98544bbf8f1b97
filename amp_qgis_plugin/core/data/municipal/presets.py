"""Mapping presets: finding, loading and saving them as JSON files (format: :mod:`.mapping`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Optional

from amp_qgis_plugin.core.atomic import atomic_output
from amp_qgis_plugin.core.data.municipal.mapping import FieldMapping
from amp_qgis_plugin.core.errors import InputError

#: Where the bundled presets live.
PRESET_DIR = Path(__file__).resolve().parents[3] / "resources" / "mappings"


def preset_paths(user_dir: Optional[os.PathLike | str] = None) -> Dict[str, Path]:
    """Return preset name -> file, bundled presets first, overridden by ``user_dir``'s."""
    found: Dict[str, Path] = {}
    for folder in (PRESET_DIR, Path(user_dir).expanduser() if user_dir else None):
        if folder is not None and folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                found[path.stem] = path
    return found


def list_presets(user_dir: Optional[os.PathLike | str] = None) -> List[str]:
    """Return the names of the bundled presets and those in ``user_dir``, sorted."""
    return sorted(preset_paths(user_dir))


def load_preset(name_or_path: os.PathLike | str,
                user_dir: Optional[os.PathLike | str] = None) -> FieldMapping:
    """Load a mapping preset by name (user directory first, then bundled) or by file path.

    Raises
    ------
    InputError
        When no such preset exists (the message lists the available ones), or the file is not
        valid JSON or not a valid mapping.
    """
    text = str(name_or_path)
    as_path = Path(text).expanduser()
    if text.lower().endswith(".json") or os.sep in text or "/" in text or as_path.is_file():
        if not as_path.is_file():
            raise InputError(f"Mapping file not found: {as_path}.")
        path = as_path
    else:
        presets = preset_paths(user_dir)
        if text not in presets:
            raise InputError(f"Unknown mapping preset {text!r}. Available presets: "
                             f"{', '.join(sorted(presets)) or 'none'}; or give the path of a "
                             ".json mapping file.")
        path = presets[text]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"Mapping file {path} is not valid JSON (line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg}).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Mapping file {path} could not be read: {exc}.") from None
    return FieldMapping.from_dict(data, origin=f"Mapping file {path}")


def save_preset(mapping: FieldMapping, path: os.PathLike | str) -> Path:
    """Write ``mapping`` as a JSON preset and return the file written.

    ``path`` is a ``.json`` file or a directory (then the file is ``<name>.json`` in it).
    The file is written to a temporary name and renamed, so it is never left half-written.
    """
    mapping.validate()
    path = Path(path).expanduser()
    if path.is_dir() or not path.suffix:
        path = path / f"{mapping.name}.json"
    with atomic_output(path, suffix=".json.partial") as tmp:
        tmp.write_text(mapping.to_json() + "\n", encoding="utf-8")
    return path
