"""Where the shipped ontology, shapes, case files and queries live.

In a checkout they are the top-level folders; in an installed wheel they are
packaged under ``kg/_resources``.

>>> (resource_root() / "ontology").is_dir()
True
>>> {"lms-femoral-vein-c1.ttl", "lms-ivc-two-cases-c1.ttl"} <= {p.name for p in case_files()}
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "resource_root",
    "ontology_dir",
    "shapes_dir",
    "cases_dir",
    "publications_dir",
    "queries_dir",
    "ontology_files",
    "shape_files",
    "case_files",
    "publication_files",
    "query_files",
]

_PACKAGE = Path(__file__).resolve().parent


def resource_root() -> Path:
    """The folder holding ``ontology/``, ``data/`` and ``queries/``."""
    packaged = _PACKAGE / "_resources"
    return packaged if (packaged / "ontology").is_dir() else _PACKAGE.parent


def ontology_dir() -> Path:
    return resource_root() / "ontology"


def shapes_dir() -> Path:
    return ontology_dir() / "shapes"


def cases_dir() -> Path:
    return resource_root() / "data" / "cases"


def publications_dir() -> Path:
    return resource_root() / "data" / "publications"


def queries_dir() -> Path:
    return resource_root() / "queries"


def _turtle_in(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


def ontology_files() -> list[Path]:
    """The ontology modules (not the shapes), in a stable order."""
    return _turtle_in(ontology_dir())


def shape_files() -> list[Path]:
    return _turtle_in(shapes_dir())


def _sources_in(folder: Path) -> list[Path]:
    """The Turtle files and sheets (``*.yaml``) in ``folder``, by name; one file per id.

    Raises :class:`kg.errors.InputError` when an id has both a ``.ttl`` and a ``.yaml``.
    """
    files = sorted([*folder.glob("*.ttl"), *folder.glob("*.yaml")])
    stems: dict[str, Path] = {}
    for path in files:
        if path.stem in stems:
            from kg.errors import InputError
            raise InputError(f"'{path.stem}' has two source files: {stems[path.stem].name} "
                             f"and {path.name}", file=str(path), case=path.stem,
                             hint="keep one of them (a case or publication has exactly one "
                                  "source file, Turtle or sheet)")
        stems[path.stem] = path
    return sorted(files, key=lambda p: p.stem)


def case_files(folder: Path | None = None) -> list[Path]:
    """Case files (Turtle or sheets) in ``folder`` (default: the shipped cases)."""
    return _sources_in(folder or cases_dir())


def publication_files() -> list[Path]:
    """Publication files (Turtle or sheets, compiled by :mod:`kg.sheets.publication`)."""
    return _sources_in(publications_dir())


def query_files() -> list[Path]:
    return sorted(queries_dir().glob("*.rq"))
