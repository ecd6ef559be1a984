"""Write a folder of files all at once: either every file is there, or the folder is as it was.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "study"
>>> write_folder(out, {"a.txt": "one\\n", "b/c.txt": "two\\n"})
2
>>> sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
['a.txt', 'b/c.txt']
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from kg.errors import KGError

__all__ = ["ExportError", "write_folder"]


class ExportError(KGError):
    """An export could not be written; the output folder is unchanged."""

    exit_code = 2


def write_folder(out: Path, files: dict[str, str | bytes]) -> int:
    """Replace ``out`` by a folder holding ``files`` (relative path → content); the count.

    The files are written into a new folder beside ``out``, which then takes its place, so a
    failure at any point leaves ``out`` as it was.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder",
                          hint="name a folder, or remove the file")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as err:
        raise ExportError(f"cannot write into {out.parent}: {err.strerror}",
                          hint="choose a folder you can write to with --out") from err
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        staging.chmod(0o755)
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"cannot write {out}: {err.strerror}",
                          hint="check the folder's permissions and free space") from err
    return len(files)
