#!/usr/bin/env python3
"""Qt translation files of the plugin from the ``tr("English", "Svenska")`` pairs in its code.

The pairs written in the code are the source of truth. This script reads the plugin's Python
(``amp_qgis_plugin/plugin.py`` and ``amp_qgis_plugin/processing/**``) with :mod:`ast` and
writes every pair into the Qt Linguist file ``amp_qgis_plugin/i18n/amp_qgis_plugin_sv.ts``
(one context, ``AmpPlaceAnalysis``; source = English, translation = Swedish; sorted by the
English, so moving code does not reorder it). ``--compile`` then builds the ``.qm`` QGIS loads
with ``lrelease`` (Debian: qttools5-dev-tools).

A pair is:

* ``tr("English", "Svenska")`` with literal texts (adjacent literals and ``+`` of literals are
  joined);
* ``self.add(parameter, "English help", "Svensk hjälp")`` (the help of a parameter);
* a literal 2-tuple of texts, such as ``DISPLAY = ("Fetch place data", "Hämta platsdata")``,
  group names, parameter labels ``("Seat width (m)", "Sittbredd (m)")``, enum choices and
  output titles, all shown through ``tr(*pair)``. Not pairs: ``HELP`` (shown in both
  languages at once), unpacked assignments (``INK, MUTED = "#1f2328", "#5b6470"``), tuples of
  identifiers, colours or numbers (``("OUTPUT", "OUTPUT_LAYERS")``,
  ``options=("data", "osm_file")``).

Texts built at run time (f-strings, help with the default's source appended) cannot be looked
up in a ``.qm``; the plugin shows their inline Swedish (``processing/i18n.py``), and this script
counts them.

Usage::

    python scripts/i18n.py            # rewrite the .ts from the code
    python scripts/i18n.py --check    # exit 1 when the committed .ts is out of date
    python scripts/i18n.py --compile  # rewrite the .ts and build the .qm beside it (lrelease)
    python scripts/i18n.py --qm-dir DIR  # build: the code's texts compiled into DIR/*.qm only
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "amp_qgis_plugin"
I18N_DIR = PLUGIN / "i18n"
CONTEXT = "AmpPlaceAnalysis"
LANGUAGES = {"sv": "sv_SE"}

#: Attributes whose 2-tuples are not translated through tr() (shown in both languages).
_NOT_PAIRS = {"HELP"}
_IDENTIFIER = re.compile(r"^(?:[A-Z0-9_]+|[a-z0-9]*_[a-z0-9_]*)$")
_NOT_WORDS = re.compile(r"^(?:#[0-9A-Fa-f]{3,8}|[^A-Za-zÀ-ÿ]*)$")  # colours, numbers, symbols


@dataclass
class Pair:
    """One English text, its Swedish and where it is written (files relative to the .ts)."""

    english: str
    swedish: str
    files: Set[str] = field(default_factory=set)


def sources(root: Path = PLUGIN) -> List[Path]:
    """The plugin's Python files that hold interface texts."""
    files = [root / "plugin.py"] + sorted((root / "processing").rglob("*.py"))
    return [p for p in files if p.exists() and "__pycache__" not in p.parts]


def _text(node: ast.AST) -> Optional[str]:
    """The literal text of ``node`` (joining ``"a" + "b"``), or None when built at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None or right is None else left + right
    return None


def _is_pair_tuple(node: ast.AST) -> Optional[Tuple[str, str]]:
    if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
        return None
    english, swedish = _text(node.elts[0]), _text(node.elts[1])
    if not english or not swedish:
        return None
    if any(_IDENTIFIER.match(t) or _NOT_WORDS.match(t) for t in (english, swedish)):
        return None
    return english, swedish


def _parents(tree: ast.AST) -> Dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _excluded(node: ast.AST, parents: Dict[ast.AST, ast.AST]) -> bool:
    """True for tuples assigned to ``HELP``, unpacked (``A, B = "x", "y"``) or ``options=``."""
    parent = parents.get(node)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return any(isinstance(t, ast.Tuple) or isinstance(t, ast.Name) and t.id in _NOT_PAIRS
                   for t in targets)
    return isinstance(parent, ast.keyword) and parent.arg == "options"


def extract_file(path: Path) -> Tuple[List[Tuple[str, str, int]], int]:
    """``([(english, swedish, line), ...], number of run-time texts)`` of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents = _parents(tree)
    found: List[Tuple[str, str, int]] = []
    dynamic = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else ""
            args = node.args
            if name == "tr" and len(args) >= 2 and not any(isinstance(a, ast.Starred) for a in args):
                english, swedish = _text(args[0]), _text(args[1])
                if english and swedish:
                    found.append((english, swedish, node.lineno))
                else:
                    dynamic += 1
            elif name == "add" and isinstance(func, ast.Attribute) and len(args) == 3:
                english, swedish = _text(args[1]), _text(args[2])
                if english and swedish:
                    found.append((english, swedish, node.lineno))
                else:
                    dynamic += 1
        pair = _is_pair_tuple(node)
        if pair and not _excluded(node, parents):
            found.append((pair[0], pair[1], node.lineno))
    return found, dynamic


class ConflictError(ValueError):
    """One English text with two different Swedish translations."""


def extract(files: Optional[Iterable[Path]] = None, plugin_dir: Path = PLUGIN
            ) -> Tuple[Dict[str, Pair], int]:
    """Every pair of the plugin in ``plugin_dir`` by English text, and the number of run-time texts.

    Raises
    ------
    ConflictError
        When one English text is given two different Swedish texts (the .ts can hold one).
    """
    pairs: Dict[str, Pair] = {}
    conflicts: List[str] = []
    dynamic = 0
    for path in files if files is not None else sources(plugin_dir):
        found, n = extract_file(path)
        dynamic += n
        rel = Path("..") / path.resolve().relative_to(plugin_dir.resolve())
        for english, swedish, line in found:
            pair = pairs.setdefault(english, Pair(english, swedish))
            if pair.swedish != swedish:
                conflicts.append(f"{rel}:{line}: {english!r} is {swedish!r} here but "
                                 f"{pair.swedish!r} in {', '.join(sorted(pair.files))}")
            pair.files.add(rel.as_posix())
    if conflicts:
        raise ConflictError("one English text, two Swedish texts:\n" + "\n".join(conflicts))
    return pairs, dynamic


def render(pairs: Dict[str, Pair], lang: str = "sv") -> str:
    """The Qt Linguist XML (TS 2.1) of ``pairs``, sorted by English."""
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
           f'<TS version="2.1" language="{LANGUAGES[lang]}" sourcelanguage="en">',
           "<context>", f"    <name>{CONTEXT}</name>"]
    for english in sorted(pairs):
        pair = pairs[english]
        out.append("    <message>")
        out.extend(f'        <location filename="{escape(f)}"/>' for f in sorted(pair.files))
        out.append(f"        <source>{escape(pair.english)}</source>")
        out.append(f"        <translation>{escape(pair.swedish)}</translation>")
        out.append("    </message>")
    out += ["</context>", "</TS>", ""]
    return "\n".join(out)


def read_ts(path: Path) -> Dict[str, str]:
    """English -> translation of a ``.ts`` file (for checks)."""
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    return {m.findtext("source", ""): m.findtext("translation", "")
            for m in root.iter("message")}


def ts_path(lang: str = "sv") -> Path:
    """``amp_qgis_plugin/i18n/amp_qgis_plugin_<lang>.ts``."""
    return I18N_DIR / f"amp_qgis_plugin_{lang}.ts"


def lrelease() -> str:
    """The ``lrelease`` program (Qt 5 or 6 Linguist tools)."""
    for name in ("lrelease", "lrelease-qt5", "lrelease-qt6", "/usr/lib/qt5/bin/lrelease",
                 "/usr/lib/qt6/bin/lrelease"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("lrelease not found: install the Qt Linguist tools "
                     "(Debian/Ubuntu: apt install qttools5-dev-tools)")


def compile_ts(ts: Path, qm: Optional[Path] = None) -> Path:
    """Compile ``ts`` into ``qm`` (default: beside it) with lrelease; return the ``.qm``."""
    qm = qm or ts.with_suffix(".qm")
    result = subprocess.run([lrelease(), "-silent", "-removeidentical", str(ts), "-qm", str(qm)],
                            capture_output=True, text=True)
    if result.returncode != 0 or not qm.exists():
        raise SystemExit(f"lrelease failed on {ts}: {result.stderr or result.stdout}")
    return qm


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="exit 1 when the committed .ts differs from the code")
    mode.add_argument("--compile", action="store_true",
                      help="also build the .qm files with lrelease")
    parser.add_argument("--qm-dir", type=Path, default=None,
                        help="build only: compile the texts of the code into DIR/<name>.qm "
                             "(for the release zip) without rewriting the committed .ts")
    parser.add_argument("--plugin-dir", type=Path, default=PLUGIN,
                        help="the plugin folder whose code is read (default: this checkout's)")
    args = parser.parse_args(argv)
    try:
        pairs, dynamic = extract(plugin_dir=args.plugin_dir)
    except ConflictError as exc:
        print(f"i18n: {exc}", file=sys.stderr)
        return 1
    text = render(pairs)
    ts = ts_path()
    if args.check:
        if not ts.exists() or ts.read_text(encoding="utf-8") != text:
            print(f"i18n: {ts.relative_to(ROOT)} is out of date: run python scripts/i18n.py",
                  file=sys.stderr)
            return 1
        print(f"i18n: {ts.relative_to(ROOT)} up to date ({len(pairs)} texts)")
        return 0
    if args.qm_dir:  # a build: compile the code's texts into qm_dir, leave the tree alone
        args.qm_dir.mkdir(parents=True, exist_ok=True)
        staged = args.qm_dir / ts.name
        staged.write_text(text, encoding="utf-8")
        qm = compile_ts(staged, staged.with_suffix(".qm"))
        staged.unlink()
        print(f"i18n: compiled {len(pairs)} texts into {qm}")
        return 0
    ts.parent.mkdir(parents=True, exist_ok=True)
    if not ts.exists() or ts.read_text(encoding="utf-8") != text:
        ts.write_text(text, encoding="utf-8")
    print(f"i18n: {ts.relative_to(ROOT)}: {len(pairs)} texts; {dynamic} texts built at run time "
          "use their inline Swedish")
    if args.compile:
        qm = compile_ts(ts)
        print(f"i18n: compiled {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
