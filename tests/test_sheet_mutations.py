"""Mutation suite for case sheets: systematic variants of a valid sheet (a key misspelt, a
value of the wrong type, an unknown term, an impossible number, a required key dropped, a
broken line) are refused with a :class:`SheetError` that names the field, the line and a fix;
no variant escapes as another exception, and none is silently accepted when it changes a
coded value into something the ontology does not know.

The variants are generated from ``tests/data/sheets/lms-ivc-two-cases-c2.yaml``, so a new
field there is mutated too. All are compiled directly; one variant of each kind also goes
through ``vlmskg build`` by the hook of ``tests/test_mutations.py`` (:class:`Variant`, the
build of the shipped cases it must leave untouched).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.cli import main
from kg.sheets.case import compile_case_file
from kg.sheets.loader import SheetError, load_sheet
from tests.test_mutations import UNREADABLE, Variant, _snapshot, previous_build

__all__ = ["previous_build", "sheet_variants"]

SOURCE = Path(__file__).parent / "data" / "sheets" / "lms-ivc-two-cases-c2.yaml"
CASE = "lms-ivc-two-cases-c2"
#: free-text fields: any text is valid there.
FREE_TEXT = {"source", "note", "reason", "dose", "cause of death"}
#: number fields and a value impossible for each.
IMPOSSIBLE = {"age": 130, "blood loss ml": -5, "operating time min": 0, "case number": 0,
              "per 10 HPF": -1, "cycles": 0}


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _leaves(item, (*path, n))
    else:
        yield path, value


def _mappings(value: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _mappings(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _mappings(item, (*path, n))


def _set(data: Any, path: tuple, value: Any) -> Any:
    copy_ = copy.deepcopy(data)
    node = copy_
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copy_


def _rename(data: Any, path: tuple, old: str, new: str) -> Any:
    copy_ = copy.deepcopy(data)
    node = copy_
    for part in path:
        node = node[part]
    node[new] = node.pop(old)
    return copy_


def variants() -> Iterator[tuple[str, Any]]:
    """(name, mutated sheet data) pairs, each expected to be refused."""
    base = load_sheet(SOURCE)
    for path, value in _leaves(base):
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        if key in FREE_TEXT or key == "publication":
            continue
        where = "/".join(map(str, path))
        if key in IMPOSSIBLE:
            yield f"impossible:{where}", _set(base, path, IMPOSSIBLE[key])
        if isinstance(value, str):
            yield f"unknown-term:{where}", _set(base, path, value + "zz")
        yield f"wrong-type:{where}", _set(base, path, {"nested": [1, 2]})
    for path in _mappings(base):
        node = base
        for part in path:
            node = node[part]
        for key in list(node)[:3]:
            if key not in FREE_TEXT:
                yield f"misspelt-key:{'/'.join(map(str, (*path, key)))}", \
                    _rename(base, path, key, key[:-1] + ("q" if key[-1] != "q" else "z"))
    for required in ("publication", "case number"):
        dropped = copy.deepcopy(base)
        del dropped[required]
        yield f"missing:{required}", dropped


VARIANTS = dict(variants())


def test_the_generator_makes_many_variants():
    assert len(VARIANTS) > 100
    assert {name.split(":")[0] for name in VARIANTS} == {
        "impossible", "unknown-term", "wrong-type", "misspelt-key", "missing"}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_is_refused_with_field_line_and_fix(tmp_path, name):
    path = tmp_path / f"{CASE}.yaml"
    path.write_text(yaml.safe_dump(VARIANTS[name], sort_keys=False, allow_unicode=True))
    with pytest.raises(SheetError) as caught:
        compile_case_file(path)
    err = caught.value
    assert err.file == str(path) and err.hint, str(err)
    assert err.exit_code == 2
    if not name.startswith("missing"):
        assert err.field and err.line is not None, str(err)


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.75])
def test_truncated_sheet_is_refused_or_compiles_never_crashes(tmp_path, cut):
    text = SOURCE.read_text()
    path = tmp_path / f"{CASE}.yaml"
    path.write_text(text[:int(len(text) * cut)] + "\n  - {broken: [\n")
    with pytest.raises(SheetError) as caught:
        compile_case_file(path)
    assert caught.value.line is not None and "broken YAML" in str(caught.value)


def sheet_variants(folder: Path) -> list[Variant]:
    """One variant of each kind as a :class:`Variant` of ``tests/test_mutations.py``: the
    sheet's bytes, and the file, line and field text the build must report."""
    found = []
    for kind in ("impossible", "unknown-term", "wrong-type", "misspelt-key", "missing"):
        name = next(n for n in sorted(VARIANTS) if n.startswith(kind + ":"))
        body = yaml.safe_dump(VARIANTS[name], sort_keys=False, allow_unicode=True).encode()
        probe = folder / name.replace(":", "_").replace("/", "_") / f"{CASE}.yaml"
        probe.parent.mkdir(parents=True)
        probe.write_bytes(body)
        with pytest.raises(SheetError) as caught:
            compile_case_file(probe)
        fragment = "field '" if caught.value.field else caught.value.message
        found.append(Variant(f"{CASE}.yaml:{name}", {f"{CASE}.yaml": body}, f"{CASE}.yaml",
                             UNREADABLE, fragment, caught.value.line))
    return found


def test_build_refuses_sheet_variants_and_writes_nothing(previous_build, tmp_path, capfd):
    for variant in sheet_variants(tmp_path / "probe"):
        cases = variant.write(tmp_path / variant.name.replace(":", "_").replace("/", "_"))
        before = _snapshot(previous_build)
        capfd.readouterr()
        code = main(["build", "--skip-reasoner", "--cases", str(cases),
                     "--out", str(previous_build)])
        out, err = capfd.readouterr()
        assert code == variant.exit_code and "Traceback" not in out + err, (variant.name, err)
        where = f"{cases / variant.names}" + (f":{variant.line}:" if variant.line else "")
        assert where in err and variant.fragment in err and "(fix: " in err, err
        assert _snapshot(previous_build) == before
