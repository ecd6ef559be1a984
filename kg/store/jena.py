"""Run Apache Jena from Debian's ``libapache-jena-java`` (4.5): the class path and the launcher.

Debian ships Jena's jars without launcher scripts. :func:`jena_classpath` lists Jena's jars,
the libraries they need and one SLF4J binding (``slf4j-nop``: no log noise), plus a folder
of Xerces message bundles: Debian's ``jena-core`` moves Xerces to the package ``xerces``
but leaves its ``.properties`` under ``org/apache/jena/ext/xerces``, so the first ill-typed
literal would end in an initialisation error; the bundles are copied once to the path the
code reads (in the cache folder, see :mod:`kg.store.shipped`).

Main classes used by the tests and CI: ``shacl.shacl`` (``validate --shapes S --data D``),
``tdb2.tdbloader``, ``tdb2.tdbquery`` (:func:`run_jena`), and ``JenaTools.java`` beside this
module (:func:`jena_tools_command`, run in Java's source-file mode, so it needs a JDK:
``default-jdk-headless``): Jena SHACL over many data files in one JVM, and a SPARQL 1.1
server over TDB2 (:mod:`kg.store.jena_server`), since Debian has no Fuseki.

>>> [Path(p).name for p in jena_classpath(bundles=False)][:2]
['jena-base.jar', 'jena-core.jar']
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

from kg.errors import KGError
from kg.store.shipped import cache_folder

__all__ = ["JAVA_DIR", "JENA_JARS", "JENA_TOOLS", "jena_available", "jena_classpath",
           "java_binary", "run_jena", "jena_tools_command"]

JAVA_DIR = Path(os.environ.get("VLMSKG_JAVA_DIR", "/usr/share/java"))
"""Where Debian installs jars (``VLMSKG_JAVA_DIR`` to override)."""

JENA_JARS = (
    "jena-base", "jena-core", "jena-arq", "jena-iri", "jena-shacl", "jena-shex", "jena-cmds",
    "jena-tdb", "jena-tdb2", "jena-dboe-base", "jena-dboe-index", "jena-dboe-storage",
    "jena-dboe-trans-data", "jena-dboe-transaction", "jena-rdfconnection",
    # what libapache-jena-java depends on
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
    "commons-lang3", "commons-logging", "dexx.collection", "gson", "guava", "httpclient",
    "httpcore", "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java",
    "jakarta.json-api", "protobuf", "thrift", "titanium-json-ld", "slf4j-api",
    # exactly one SLF4J binding, a silent one
    "slf4j-nop",
)
"""The jars of the class path, by their unversioned Debian names."""

JENA_TOOLS = Path(__file__).with_name("JenaTools.java")
"""The project's Jena front ends (SHACL over many files, a SPARQL server), Java source."""

_INSTALL_HINT = "apt-get install libapache-jena-java default-jdk-headless"


def jena_available() -> bool:
    """True when a JDK (``javac``: source-file mode compiles) and every jar of
    :data:`JENA_JARS` are installed."""
    return shutil.which("java") is not None and shutil.which("javac") is not None and all(
        (JAVA_DIR / f"{name}.jar").is_file() for name in JENA_JARS)


def _bundles() -> Path:
    """A folder holding Xerces' message bundles where Debian's relocated classes look."""
    core = JAVA_DIR / "jena-core.jar"
    folder = cache_folder() / "jena-xerces-bundles" / str(int(core.stat().st_mtime))
    if (folder / "xerces" / "impl" / "msg" / "XMLSchemaMessages.properties").is_file():
        return folder
    prefix = "org/apache/jena/ext/"
    partial = folder.with_name(folder.name + f".{os.getpid()}.partial")
    with zipfile.ZipFile(core) as jar:
        for name in jar.namelist():
            if name.startswith(prefix + "xerces/") and name.endswith(".properties"):
                target = partial / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    try:
        partial.rename(folder)
    except OSError:  # another process made it first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def jena_classpath(*, bundles: bool = True) -> list[str]:
    """The class path entries: the jars of :data:`JENA_JARS` and the bundle folder.

    Raises :class:`KGError` naming the first missing jar.
    """
    paths = []
    for name in JENA_JARS:
        jar = JAVA_DIR / f"{name}.jar"
        if bundles and not jar.is_file():
            raise KGError(f"{jar} is missing: Apache Jena is not installed",
                          hint=_INSTALL_HINT)
        paths.append(str(jar))
    if bundles:
        paths.append(str(_bundles()))
    return paths


def java_binary() -> str:
    """The ``java`` on PATH; :class:`KGError` when there is none."""
    found = shutil.which("java")
    if found is None:
        raise KGError("no Java runtime on PATH", hint=_INSTALL_HINT)
    return found


def run_jena(main: str, args: Sequence[str], *, timeout: float = 300.0,
             java_options: Sequence[str] = ("-Xmx1g",)) -> subprocess.CompletedProcess[str]:
    """Run Jena's ``main`` class with ``args``; the finished process (text output).

    Raises :class:`KGError` with the end of its output when it exits non-zero.
    """
    command = [java_binary(), *java_options, "-cp", os.pathsep.join(jena_classpath()), main,
               *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        tail = " ".join((done.stderr or done.stdout).split())[-600:]
        raise KGError(f"Jena {main} exited with {done.returncode}: {tail}",
                      hint="see the message; is the input readable RDF?")
    return done


def jena_tools_command(args: Sequence[str], *,
                       java_options: Sequence[str] = ("-Xmx1g",)) -> list[str]:
    """The command running ``JenaTools.java`` with ``args`` (``shacl …`` or ``serve …``)."""
    return [java_binary(), *java_options, "-cp", os.pathsep.join(jena_classpath()),
            str(JENA_TOOLS), *args]
