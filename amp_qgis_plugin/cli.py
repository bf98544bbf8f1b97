"""The QGIS-free command line: ``amp-place <command> ...`` (also ``python -m amp_qgis_plugin``).

Commands are discovered from :mod:`amp_qgis_plugin.commands`. Exit codes: 0 success, 1 an error
the user can fix (the reason is one line on stderr), 2 wrong usage (argparse), 130 cancelled.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType
from typing import List, Optional, Sequence

from amp_qgis_plugin.__about__ import __version__
from amp_qgis_plugin.core.i18n import LANGUAGES, language_from_environment

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


def _command_modules() -> List[ModuleType]:
    import amp_qgis_plugin.commands as pkg

    modules = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if all(hasattr(module, attr) for attr in ("NAME", "HELP", "add_arguments", "run")):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.NAME))


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="amp-place",
        description="AMP place analysis: fetch a place's data from OpenStreetMap and municipal "
                    "layers, and assess it (frontage, seating, lighting, sightlines ...).",
        epilog="Run 'amp-place COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="print progress and details")
    _add_lang(parser, language_from_environment())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _command_modules():
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        # also after the command (amp-place assess --lang sv); given there, it wins
        own = cmd._option_string_actions.get("--lang")
        if own is not None:  # a command's own --lang (presets): same meaning, global default
            own.default = argparse.SUPPRESS
        else:
            _add_lang(cmd, argparse.SUPPRESS)
        cmd.set_defaults(_run=module.run)
    return parser


def _add_lang(parser: argparse.ArgumentParser, default: str) -> None:
    """``--lang sv|en``: the language of the figures, the profile and the messages printed."""
    parser.add_argument("--lang", choices=LANGUAGES, default=default,
                        help="language of the figures, the place profile and the messages "
                             "printed: sv (Swedish) or en (English); default from the "
                             "locale (LC_ALL, LC_MESSAGES, LANG): sv when it starts with 'sv'")


def _join_negative_values(argv: List[str]) -> List[str]:
    """Let ``--point -73.98,40.68`` (western longitudes) through argparse as ``--point=...``
    (likewise ``--search-bbox``)."""
    out: List[str] = []
    for arg in argv:
        if out and out[-1] in ("--point", "--search-bbox") and arg[:1] == "-" \
                and arg[1:2].isdigit():
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the process exit code."""
    from amp_qgis_plugin.commands._output import say, set_language
    from amp_qgis_plugin.core.errors import AmpError, CancelledError
    from amp_qgis_plugin.core.feedback import ConsoleFeedback

    parser = build_parser()
    args = parser.parse_args(_join_negative_values(list(sys.argv[1:] if argv is None else argv)))
    set_language(args.lang)
    feedback = ConsoleFeedback(verbose=args.verbose)
    try:
        return int(args._run(args, feedback) or EXIT_OK)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except CancelledError as exc:
        print(f"amp-place: {exc}", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("amp-place: " + say("interrupted; no output was written.",
                                  "avbrutet; ingenting skrevs."), file=sys.stderr)
        return EXIT_CANCELLED
    except AmpError as exc:
        from amp_qgis_plugin.commands._options import flag_hint

        # The engine's message stays as the engine wrote it (English, see core/i18n.py);
        # the hint names command-line flags, which are the same in every language.
        hint = flag_hint(exc.options, getattr(args, "_flags", None))
        print(f"amp-place {args.command}: {' '.join(str(exc).split())}{hint}", file=sys.stderr)
        return EXIT_ERROR
    except ImportError as exc:
        from amp_qgis_plugin.core.deps import install_hint

        print("amp-place: " + say(f"a required Python package is missing ({exc}).",
                                  f"ett Python-paket som behövs saknas ({exc}).")
              + f" {install_hint()}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
