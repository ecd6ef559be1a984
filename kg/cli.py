"""The ``vlmskg`` command: a thin layer over the library.

Each sub-command lives in ``kg/commands/<name>.py`` with ``register(subparsers)`` (found
there, nothing to list); the
library raises :class:`kg.errors.KGError`, which is printed here without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from kg.errors import KGError

__all__ = ["main"]



def command_modules() -> list[str]:
    """The modules of ``kg.commands``, one per sub-command, in name order.

    >>> {"build", "validate", "query"} <= set(command_modules())
    True
    """
    package = importlib.import_module("kg.commands")
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vlmskg",
        description="Build, validate, query and serve the vascular leiomyosarcoma graph.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(f"kg.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code.

    0 ok, 1 violations, 2 unreadable input, 3 endpoint unreachable or refusing.
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KGError as err:
        print(f"vlmskg {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"vlmskg {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
