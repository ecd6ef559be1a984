"""The ``vlmskg`` command: a thin layer over the library.

Each sub-command lives in ``kg/commands/<name>.py`` with ``register(subparsers)`` (found
there, nothing to list); the library raises :class:`kg.errors.KGError`, which is printed here
without a traceback. Libraries' log records and warnings are not shown (set ``VLMSKG_DEBUG=1``
to see them); progress of long work goes to standard error when it is a terminal, unless
``--quiet`` is given.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from kg import progress
from kg.errors import KGError, ValidationFailed, did_you_mean

__all__ = ["main", "build_parser", "parse_arguments", "command_modules", "package_version"]

DEBUG_ENV = "VLMSKG_DEBUG"  #: set to show libraries' log records, warnings and tracebacks
_SHOWN_VIOLATIONS = 20  #: violations printed when a build or load refuses the cases
_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<word>[^']*)' \(choose from (?P<choices>.*)\)")
_UNRECOGNIZED = re.compile(r"unrecognized arguments: (?P<words>.*)")


def package_version() -> str:
    """The installed version of vlms-kg.

    >>> package_version().count(".") >= 1
    True
    """
    try:
        return version("vlms-kg")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "unknown (not installed)"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors suggest the nearest command, choice or option."""

    def error(self, message: str) -> NoReturn:
        suggestions = ""
        choice = _INVALID_CHOICE.search(message)
        if choice:
            choices = re.findall(r"'([^']*)'", choice.group("choices"))
            suggestions += did_you_mean(choice.group("word"), choices)
        unknown = _UNRECOGNIZED.search(message)
        if unknown:
            options = [o for action in self._actions for o in action.option_strings]
            for word in unknown.group("words").split():
                if word.startswith("-"):
                    suggestions += did_you_mean(word.split("=", 1)[0], options)
        super().error(message + ("." + suggestions if suggestions else ""))


def command_modules() -> list[str]:
    """The modules of ``kg.commands``, one per sub-command, in name order.

    >>> {"build", "validate", "query"} <= set(command_modules())
    True
    """
    package = importlib.import_module("kg.commands")
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__)
                  if not m.name.startswith("_"))


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The arguments of one command line; an option the command does not know is an error
    of that command, with the nearest option it knows suggested (exits 2)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        command = parser.commands[args.command]  # type: ignore[attr-defined]
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def build_parser() -> argparse.ArgumentParser:
    """The ``vlmskg`` parser with every sub-command; ``--quiet`` is accepted before or after
    the command."""
    parser = _Parser(
        prog="vlmskg",
        description="Build, validate, query and serve the vascular leiomyosarcoma graph.",
    )
    parser.add_argument("--version", action="version", version=f"vlmskg {package_version()}")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="show no progress of long work (it is shown only on a terminal)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                       parser_class=_Parser)
    for name in command_modules():
        importlib.import_module(f"kg.commands.{name}").register(subparsers)
    for sub in subparsers.choices.values():
        sub.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                         help="show no progress of long work")
    parser.commands = subparsers.choices  # type: ignore[attr-defined]
    return parser


@contextmanager
def _libraries_silenced() -> Iterator[None]:
    """Keep libraries' log records and warnings (rdflib on an ill-typed literal, …) from the
    user inside the block: what matters reaches them as a validation result or an error."""
    handler = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(handler)  # a handler found: logging's last-resort printer stays silent
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeHandler(handler)


def _print_violations(command: str, err: ValidationFailed) -> None:
    from kg.commands.validate import result_line  # the same lines as `vlmskg validate`

    for result in err.results[:_SHOWN_VIOLATIONS]:
        print(result_line(result), file=sys.stderr)
    hidden = len(err.results) - _SHOWN_VIOLATIONS
    if hidden > 0:
        print(f"vlmskg {command}: … and {hidden} more violation(s)", file=sys.stderr)


def _stdout_closed() -> None:
    """Standard output's reader went away (``vlmskg … | head``): stop writing there."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code.

    0 ok, 1 violations, 2 unreadable input, 3 endpoint unreachable or refusing, 130
    interrupted, 141 output pipe closed early.
    """
    args = parse_arguments(argv)
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 prints escaped
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(errors="backslashreplace")
    reporter = progress.Reporter.for_terminal(quiet=args.quiet)
    try:
        with ExitStack() as stack:
            if not os.environ.get(DEBUG_ENV):
                stack.enter_context(_libraries_silenced())
            stack.enter_context(progress.reporting(reporter))
            code = int(args.run(args) or 0)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return code
    except ValidationFailed as err:
        _print_violations(args.command, err)
        print(f"vlmskg {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code
    except KGError as err:
        print(f"vlmskg {args.command}: error: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        _stdout_closed()
        return 141
    except KeyboardInterrupt:
        print(f"vlmskg {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
