"""The graph built from the shipped sources, kept on disk between runs.

``vlmskg query`` with neither a store folder nor an endpoint queries the shipped graph.
Building it takes seconds (the fast build: compiled shapes and the materialiser, which give
the same files as pySHACL and HermiT over the whole ABox), so the built graph is saved as
N-Quads in the cache folder, under a name taken from the content of every source
file and of the ``kg`` package itself, and from the versions of the libraries it uses: a
changed case, shape, query, line of code or library builds it again. The file is written
whole or not at all (a temporary file renamed into place) and ends with a line counting its
quads, so that a damaged file is noticed and built again; a cache folder that cannot be
written only means building every time.

>>> load_cached(Path("/nonexistent/shipped.nq")) is None
True
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox

from kg.progress import task
from kg.resources import query_files
from kg.sources.files import project_sources

__all__ = ["CACHE_ENV", "cache_folder", "cached_path", "source_digest", "load_cached",
           "save_cached", "shipped_dataset", "forget_loaded"]

CACHE_ENV = "VLMSKG_CACHE"  #: environment variable naming the cache folder
_CODE = Path(__file__).resolve().parent.parent  # the kg package
_END = "# vlms-kg shipped graph, quads: "
_LIBRARIES = ("pyoxigraph", "rdflib", "pyshacl", "owlready2")  #: the build's parsers and reasoners


def cache_folder() -> Path:
    """``$VLMSKG_CACHE``, else ``$XDG_CACHE_HOME/vlmskg``, else ``~/.cache/vlmskg``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vlmskg"


def source_digest() -> str:
    """SHA-256 over the path and content of every shipped source, stored query, module and
    data table of the ``kg`` package (the sheets' synonyms), and the versions of the
    libraries the build runs: equal digests build equal graphs."""
    code = sorted([*_CODE.rglob("*.py"), *_CODE.rglob("*.tsv")])
    paths = [s.path for s in project_sources()] + query_files() + code
    digest = hashlib.sha256()
    for library in _LIBRARIES:
        digest.update(f"{library} {version(library)}\0".encode())
    for path in paths:
        digest.update(str(path.resolve()).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_cached(path: Path) -> ox.Store | None:
    """The graph saved in ``path``; ``None`` if the file is missing, unreadable, broken or
    incomplete (its last line does not count the quads read)."""
    try:
        data = path.read_bytes()
        last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode()
        store = ox.Store()
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    if last != f"{_END}{len(store)}":
        return None
    return store


def save_cached(store: ox.Store, path: Path) -> None:
    """Write ``store`` to ``path`` whole (temporary file, then rename), or not at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".shipped-")
    except OSError:
        return  # the cache folder cannot be written: build every time
    try:
        with os.fdopen(handle, "wb") as out:
            store.dump(out, format=ox.RdfFormat.N_QUADS)
            out.write(f"{_END}{len(store)}\n".encode())
        os.replace(name, path)
    except OSError:
        Path(name).unlink(missing_ok=True)


def cached_path(digest: str | None = None) -> Path:
    """The cache file of the shipped graph whose sources have ``digest`` (default: now)."""
    return cache_folder() / f"shipped-{(digest or source_digest())[:32]}.nq"


@lru_cache(maxsize=1)
def _dataset(digest: str) -> ox.Store:
    path = cached_path(digest)
    cached = load_cached(path)
    if cached is not None:
        return cached
    from kg.building.pipeline import build_dataset  # the build pulls in the validator and reasoner

    with task("building the shipped graph once; later runs read it from the cache"):
        built = build_dataset(fast=True).store
        save_cached(built, path)
    return built


def shipped_dataset() -> ox.Store:
    """The shipped graph: read from the cache folder, else built and saved there; kept in
    memory for the rest of the process. Never modify it: copy it first."""
    return _dataset(source_digest())


def forget_loaded() -> None:
    """Drop the graph kept in memory: the next :func:`shipped_dataset` reads the cache
    folder (or builds) again."""
    _dataset.cache_clear()
