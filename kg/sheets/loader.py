"""Read a sheet (YAML) into plain Python data, and point errors at the line they concern.

Sheets are read with libyaml through PyYAML (fast, no positions; YAML 1.1, so ``yes``/``no``
arrive as booleans, which the compiler accepts like the words). When a sheet is wrong, the
error names the *field* (a path such as ``operations[1].margin``); :func:`locate` then reads
the file again with positions kept to add the line and column of that field.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x-c1.yaml"
>>> _ = path.write_text("publication: x\\ncase number: 1\\npatient: {age: 60}\\n")
>>> load_sheet(path)["patient"]["age"]
60
>>> locate(path, ("patient", "age"))
(3, 16)
>>> _ = path.write_text("publication: x\\npublication: y\\n")
>>> try:
...     load_sheet(path)
... except SheetError as err:
...     print(err)  # doctest: +ELLIPSIS
/...x-c1.yaml:2:1: case x-c1: field 'publication': the key appears twice in one mapping (fix: ...)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from kg.errors import InputError

__all__ = ["FieldPath", "SheetError", "load_sheet", "read_sheet_text", "locate", "field_name",
           "nearest", "check_keys", "as_mapping", "as_list"]

#: a field's place in a sheet: mapping keys and list indexes from the top.
FieldPath = tuple[str | int, ...]


def field_name(path: Sequence[str | int]) -> str:
    """The path written as a curator reads it.

    >>> field_name(("operations", 0, "vascular management", 1, "material"))
    'operations[1].vascular management[2].material'
    """
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class SheetError(InputError):
    """A sheet is wrong: carries the file, line, column, case and the field at fault."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, case: str | None = None,
                 field: FieldPath = (), hint: str | None = None) -> None:
        super().__init__(message, file=file, line=line, column=column, case=case, hint=hint)
        self.field = tuple(field)

    def where(self) -> str:
        prefix = super().where()
        return prefix + (f"field '{field_name(self.field)}': " if self.field else "")

    def located(self, path: Path) -> SheetError:
        """This error with the file, case and (when the field is found) its line and column."""
        self.file = self.file or str(path)
        self.case = self.case or path.stem
        if self.line is None and self.field:
            self.line, self.column = locate(path, self.field)
        return self


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key given twice in one mapping (PyYAML would keep the last silently)."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (about 4x faster than ruamel's here), refusing duplicate keys."""


def _mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in result:
            raise _DuplicateKey(problem=f'found duplicate key "{key}" with value',
                                problem_mark=key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_sheet_text(text: str, *, file: str, case: str | None = None) -> Any:
    """Parse YAML text (libyaml); YAML errors become :class:`SheetError` with a line."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (DuplicateKeyError, _DuplicateKey) as err:
        mark = err.problem_mark
        key = _duplicate_key(err)
        raise SheetError("the key appears twice in one mapping", file=file,
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None, case=case,
                         field=(key,) if key else (),
                         hint="keep one of the two entries (merge their values)") from err
    except (MarkedYAMLError, yaml.MarkedYAMLError) as err:
        mark = err.problem_mark or err.context_mark
        raise SheetError(f"broken YAML: {err.problem or err.context}", file=file,
                         line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None, case=case,
                         hint="check indentation, colons and closing brackets at that "
                              "position; quote text that holds ': ' or starts with a symbol") \
            from err
    except (YAMLError, yaml.YAMLError) as err:
        raise SheetError(f"broken YAML: {err}", file=file, case=case,
                         hint="correct the YAML syntax") from err


def _duplicate_key(err: DuplicateKeyError) -> str | None:
    match = re.match(r'found duplicate key "(.*?)" with value', str(err.problem or ""))
    return match.group(1) if match else None


def load_sheet(path: Path | str) -> Any:
    """Read one sheet file into dicts, lists and scalars.

    Raises :class:`SheetError` (an :class:`InputError`, exit code 2) for a missing, empty,
    binary or broken file, and for a duplicate key.
    """
    path = Path(path)
    case = path.stem
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SheetError(f"cannot read: {err.strerror}", file=str(path), case=case,
                         hint="check the path") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SheetError("not UTF-8 text (binary file?)", file=str(path), case=case,
                         hint="save the sheet as UTF-8 text") from err
    if not text.strip():
        raise SheetError("the file is empty", file=str(path), case=case,
                         hint="fill in the sheet (vlmskg new-case writes a skeleton), or "
                              "remove the file")
    return read_sheet_text(text, file=str(path), case=case)


def locate(path: Path, field: Sequence[str | int]) -> tuple[int | None, int | None]:
    """Line and column (1-based) of ``field``'s value in the sheet at ``path``.

    Walks as far down ``field`` as the file goes; ``(None, None)`` if unreadable.
    """
    try:
        node = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return None, None
    line: int | None = None
    column: int | None = None
    for part in field:
        try:
            if isinstance(part, int):
                line, column = node.lc.item(part)
            else:
                line, column = node.lc.value(part) if part in node else (line, column)
                if part not in node:
                    break
            node = node[part]
        except (AttributeError, KeyError, IndexError, TypeError):
            break
    if line is None:
        return None, None
    return line + 1, (column or 0) + 1


def nearest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` choices closest to ``word`` (case-insensitive).

    >>> nearest("margn", ["margin", "blood loss ml", "name"])
    ['margin']
    """
    options = {c.lower(): c for c in choices}
    return [options[m] for m in difflib.get_close_matches(word.lower(), list(options), n,
                                                          cutoff=0.5)]


def check_keys(mapping: dict[str, Any], allowed: Sequence[str], field: FieldPath) -> None:
    """Raise :class:`SheetError` for the first key of ``mapping`` not in ``allowed``."""
    for key, value in mapping.items():
        if key not in allowed:
            if value is None and " " in str(key).strip():
                raise SheetError(f"unknown field '{key}'", field=(*field, str(key)),
                                 hint="inside { } a comma ends a value, so the text after it "
                                      "became a field name: put the text in quotes "
                                      "(note: \"…, …\") or write the item on several lines")
            close = nearest(str(key), allowed)
            hint = (f"did you mean {' or '.join(repr(c) for c in close)}?" if close
                    else "allowed here: " + ", ".join(allowed))
            raise SheetError(f"unknown field '{key}'", field=(*field, str(key)), hint=hint)


def as_mapping(value: Any, field: FieldPath, keys: Sequence[str]) -> dict[str, Any]:
    """``value`` when it is a mapping with no key outside ``keys``; else :class:`SheetError`.

    >>> try:
    ...     as_mapping([49], ("figures", 1), ["endpoint"])
    ... except SheetError as err:
    ...     print(err.message)
    this item should be a mapping of 'key: value' lines, found list
    """
    if not isinstance(value, dict):
        where = (f"'{field[-1]}'" if field and isinstance(field[-1], str)
                 else "this item" if field else "the sheet")
        raise SheetError(f"{where} should be a mapping of 'key: value' lines, found "
                         f"{type(value).__name__}", field=field,
                         hint="write its fields one per line under it, each as 'key: value'; "
                              "allowed keys: " + ", ".join(keys))
    check_keys(value, keys, field)
    return value


def as_list(value: Any, field: FieldPath) -> list[Any]:
    """``value`` as a list (a single value is a list of one); :class:`SheetError` if empty.

    >>> as_list("CD34", ("markers",))
    ['CD34']
    """
    if value is None:
        raise SheetError("the value is empty", field=field,
                         hint="give at least one item, or leave the key out (left out = not "
                              "reported)")
    return value if isinstance(value, list) else [value]
