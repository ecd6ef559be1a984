"""Mutation suite: malformed variants of the shipped case files, each refused clearly.

Every variant is derived by a program from the shipped Turtle cases (``data/cases/*.ttl``):
a coded value written as text, a wrong datatype, a required field removed, Turtle broken at
several places, a byte-order mark, NUL and other control characters, bytes that are not
UTF-8, an empty, comment-only or prefix-only file, blank nodes and lists nested far too deep,
a literal over the parser's 16 MiB limit, file names that are not case identifiers, a folder
named ``*.ttl`` among the cases. For each, ``vlmskg build --out DIR`` (run in this process)
must exit with the expected code, name the file (and the line, for broken syntax), print no
traceback, and leave ``DIR`` byte for byte as it was.

Hook for other kinds of source (case sheets): a family is a function taking the shipped
sources and returning :class:`Variant` objects; add it to :data:`FAMILIES` (or pass your own
list to :func:`variants`) and every test here runs on its variants too.

Hostile query parameters (bytes that are not UTF-8, lone surrogates, a 1 MB string, SPARQL
injection attempts) go through ``vlmskg query`` against an on-disk store, which must answer
with an error naming the parameter, or with no rows, and stay unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.cli import main
from kg.resources import case_files

#: the shipped Turtle cases the variants are derived from.
SHIPPED = [p for p in case_files() if p.suffix == ".ttl"]
#: exit codes: a file that cannot be read, and a case that violates the shapes.
UNREADABLE, VIOLATION = 2, 1


@dataclass(frozen=True)
class Variant:
    """One malformed set of case files, and what the build must say about it.

    ``files`` maps a file name inside the cases folder to its bytes (``None``: a folder of
    that name); ``names`` is the file the message must name, ``line`` the line it must give
    (``None``: no line required), ``fragment`` text the message must hold.
    """

    name: str
    files: dict[str, bytes | None]
    names: str
    exit_code: int
    fragment: str = ""
    line: int | None = None
    extra: dict[str, str] = field(default_factory=dict)  #: notes, e.g. the property broken

    def write(self, folder: Path) -> Path:
        """Write the cases folder into ``folder``; return it."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in self.files.items():
            if body is None:
                (folder / name).mkdir()
            else:
                (folder / name).write_bytes(body)
        return folder


Family = Callable[[Sequence[Path]], list[Variant]]


def _one(path: Path, body: bytes | str, name: str, code: int, fragment: str = "",
         line: int | None = None, file_name: str | None = None) -> Variant:
    data = body.encode("utf-8") if isinstance(body, str) else body
    target = file_name or path.name
    return Variant(f"{path.stem}:{name}", {target: data}, target, code, fragment, line)


# --- families ----------------------------------------------------------------------------

#: coded properties and the text a curator might write instead of the term.
_CODED = ["sex", "marginStatus", "presence", "grade", "laterality", "vitalStatus",
          "markerResult", "growthPattern", "diseaseStatus", "intent"]


def string_for_term(sources: Sequence[Path]) -> list[Variant]:
    """``vlms:sex "female"``: a coded value as text, once for each coded property (taken in
    turn from the files, to vary them)."""
    found = []
    for number, prop in enumerate(_CODED):
        for path in [*sources[number % len(sources):], *sources[:number % len(sources)]]:
            text = path.read_text(encoding="utf-8")
            match = re.search(rf"vlms:{prop} ((?:vlms|obo):(\w+))", text)
            if match is None:
                continue
            word = match.group(2).lower().replace("_", " ")
            changed = text[:match.start(1)] + f'"{word}"' + text[match.end(1):]
            variant = _one(path, changed, f"text for {prop}", VIOLATION,
                           f"vlms:{prop} (value: {word})")
            found.append(Variant(variant.name, variant.files, variant.names, VIOLATION,
                                 variant.fragment, None, {"term": match.group(1)}))
            break
    leg = next((p for p in sources if ":leftLeg a " in p.read_text(encoding="utf-8")), None)
    if leg is not None:  # laterality of a structure nothing else points to
        text = leg.read_text(encoding="utf-8")
        start = text.index(":leftLeg a ")
        end = text.index(" .", start)
        changed = text[:start] + text[start:end].replace("vlms:laterality vlms:Left",
                                                         'vlms:laterality "left"') + text[end:]
        found.append(Variant(f"{leg.stem}:text for the laterality of a limb",
                             {leg.name: changed.encode("utf-8")}, leg.name, VIOLATION,
                             "vlms:laterality (value: left)", None, {"term": "vlms:Left"}))
    return found


#: (name, pattern, replacement): a literal of the wrong type or form.
_DATATYPES = [
    ("age as a word", r'ageYears "\d+"\^\^xsd:integer', 'ageYears "seventy"^^xsd:integer'),
    ("size with its unit", r'DimensionCm "[\d.]+"\^\^xsd:decimal',
     'DimensionCm "7 cm"^^xsd:decimal'),
    ("position as a word", r'timelinePosition "\d+"\^\^xsd:\w+',
     'timelinePosition "first"^^xsd:integer'),
    ("boolean as yes", r'"(true|false)"\^\^xsd:boolean', '"yes"^^xsd:boolean'),
    ("case number as a word", r'caseNumberInSource "\d+"\^\^xsd:positiveInteger',
     'caseNumberInSource "two"^^xsd:positiveInteger'),
    ("age as a date", r'ageYears "\d+"\^\^xsd:integer', 'ageYears "1950-01-01"^^xsd:date'),
]


def _first_match(sources: Sequence[Path], name: str, pattern: str,
                 replacement: str) -> list[Variant]:
    """The variant of the first file (in turn from each file, by the kind's place in its
    list) where ``pattern`` matches: one file per kind keeps the suite fast."""
    for path in sources:
        changed, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1)
        if count:
            return [_one(path, changed, name, VIOLATION, "Violation")]
    return []


def wrong_datatypes(sources: Sequence[Path]) -> list[Variant]:
    turns = [[*sources[i % len(sources):], *sources[:i % len(sources)]]
             for i in range(len(_DATATYPES))]
    return [v for (name, pattern, replacement), order in zip(_DATATYPES, turns, strict=True)
            for v in _first_match(order, name, pattern, replacement)]


#: (name, pattern of the statement part to drop).
_REQUIRED = [
    ("no source", r"\n    vlms:reportedIn <[^>]+> ;"),
    # a case needs the age or the sex (either alone is a warning)
    ("neither age nor sex",
     r" ;\n    vlms:ageYears \"\d+\"\^\^xsd:integer ;\n    vlms:sex \S+(?= \.)"),
    ("no presence", r"\n    vlms:presence vlms:\w+ ;"),
    ("no case number", r"\n    vlms:caseNumberInSource \"\d+\"\^\^xsd:integer ;"),
]


def missing_required(sources: Sequence[Path]) -> list[Variant]:
    turns = [[*sources[i % len(sources):], *sources[:i % len(sources)]]
             for i in range(len(_REQUIRED))]
    return [v for (name, pattern), order in zip(_REQUIRED, turns, strict=True)
            for v in _first_match(order, name, pattern, "")]


def _statement_lines(text: str) -> list[int]:
    """Numbers (from 1) of the lines that end a statement with `` .``."""
    return [i for i, line in enumerate(text.split("\n"), start=1) if line.rstrip().endswith(" .")]


def broken_syntax(sources: Sequence[Path]) -> list[Variant]:
    """Turtle broken at the start, a quarter, half and three quarters of the file, and at
    its end; each message must give the line."""
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        ends = _statement_lines(text)
        for share in (0.25, 0.5, 0.75):
            number = ends[int(len(ends) * share)]
            garbage = lines.copy()
            garbage[number - 1] = garbage[number - 1] + " @@ ;"
            found.append(_one(path, "\n".join(garbage), f"garbage at {int(share * 100)}%",
                              UNREADABLE, "broken Turtle", line=number))
        first = next(i for i, line in enumerate(lines) if line.startswith(("<", ":"))) + 1
        unclosed = lines.copy()
        unclosed[first - 1] = unclosed[first - 1].replace("<https", "<<https", 1).replace(
            ":", "::", 1) if unclosed[first - 1].startswith("<") else "::" + unclosed[first - 1]
        found.append(_one(path, "\n".join(unclosed), "broken first statement", UNREADABLE,
                          "broken Turtle", line=first))
        undefined = text.replace("vlms:hasPatient", "vlmz:hasPatient", 1)
        line = text[: text.index("vlms:hasPatient")].count("\n") + 1
        found.append(_one(path, undefined, "undeclared prefix", UNREADABLE, "broken Turtle",
                          line=line))
        string = text.rfind('"')
        open_string = text[:string] + text[string + 1:]
        found.append(_one(path, open_string, "unclosed string", UNREADABLE, "broken Turtle",
                          line=None))
        stripped = text.rstrip()
        found.append(_one(path, stripped[:-1], "last dot missing", UNREADABLE, "broken Turtle",
                          line=None))
        found.append(_one(path, text[: len(text) // 2], "cut in half", UNREADABLE,
                          "broken Turtle", line=None))
    return found


def bytes_and_characters(sources: Sequence[Path]) -> list[Variant]:
    """Byte-order mark, control characters, bytes that are not UTF-8."""
    path = sources[0]
    data = path.read_bytes()
    text = data.decode("utf-8")
    first_literal = text.index('"') + 1
    line = text[:first_literal].count("\n") + 1
    def insert(fragment: str) -> str:
        return text[:first_literal] + fragment + text[first_literal:]
    return [
        _one(path, b"\xef\xbb\xbf" + data, "byte-order mark", UNREADABLE, "byte-order mark",
             line=1),
        _one(path, insert("\x00"), "NUL in a literal", UNREADABLE, "U+0000 (NUL)", line=line),
        _one(path, insert("\x07"), "bell in a literal", UNREADABLE, "control character",
             line=line),
        _one(path, insert("\\u0000"), "escaped NUL in a literal", UNREADABLE, "U+0000",
             line=None),
        _one(path, insert("\x1b[31m"), "terminal escape in a literal", UNREADABLE,
             "control character", line=line),
        _one(path, text[:first_literal].encode() + b"\xff\xfe" + text[first_literal:].encode(),
             "bytes not UTF-8", UNREADABLE, "not UTF-8", line=None),
        _one(path, text.replace("é", "e").encode("utf-8")[:first_literal] + "café".encode("latin-1")
             + text.encode("utf-8")[first_literal:], "Latin-1 text", UNREADABLE, "not UTF-8"),
        _one(path, text.replace("\n:patient", "\n\ufeff:patient", 1), "byte-order mark inside",
             UNREADABLE, "U+FEFF (byte-order mark)",
             line=text[: text.index("\n:patient")].count("\n") + 2),
        _one(path, bytes(range(256)) * 4, "binary garbage", UNREADABLE, "not UTF-8"),
    ]


def empty_files(sources: Sequence[Path]) -> list[Variant]:
    """Files that describe no case."""
    path = sources[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    comments = "\n".join(line for line in lines if line.startswith("#")) + "\n"
    prefixes = "\n".join(line for line in lines if line.startswith("@prefix")) + "\n"
    return [
        _one(path, b"", "empty", UNREADABLE, "empty"),
        _one(path, b"  \n\t\n", "blank", UNREADABLE, "empty"),
        _one(path, comments, "comments only", UNREADABLE, "no triples"),
        _one(path, prefixes, "prefixes only", UNREADABLE, "no triples"),
        _one(path, comments + prefixes, "comments and prefixes only", UNREADABLE, "no triples"),
    ]


def deep_and_huge(sources: Sequence[Path]) -> list[Variant]:
    """Nesting far beyond any case, a blank-node cycle, a literal over 16 MiB."""
    path = sources[0]
    text = path.read_text(encoding="utf-8")
    def nested(opening: str, closing: str, depth: int) -> str:
        return (text + "\n:patient vlms:description " + f"{opening} vlms:description " * depth
                + '"x"' + f" {closing}" * depth + " .\n")
    lists = text + '\n:patient vlms:description ' + "( " * 1000 + '"x"' + " )" * 1000 + " .\n"
    cycle = text + "\n_:a vlms:description _:b .\n_:b vlms:description _:a .\n"
    huge = text + '\n:patient vlms:description "' + "a" * (17 << 20) + '" .\n'
    return [
        _one(path, nested("[", "]", 1000), "blank nodes 1000 deep", UNREADABLE, "nested"),
        _one(path, nested("[", "]", 40), "blank nodes 40 deep", UNREADABLE, "nested"),
        _one(path, lists, "lists 1000 deep", UNREADABLE, "nested"),
        _one(path, cycle, "blank-node cycle", UNREADABLE, "cycle"),
        _one(path, huge, "literal of 17 MiB", UNREADABLE, "16 MiB",
             line=text.count("\n") + 2),
    ]


def bad_file_names(sources: Sequence[Path]) -> list[Variant]:
    """Names that cannot be case identifiers, and a folder named like a case file."""
    path = sources[0]
    data = path.read_bytes()
    valid = {path.name: data}
    return [
        _one(path, data, "name with a space", UNREADABLE, "not a case identifier",
             file_name=f"{path.stem} copy.ttl"),
        _one(path, data, "name with an accent", UNREADABLE, "not a case identifier",
             file_name=f"{path.stem}-café.ttl"),
        _one(path, data, "name with a hash", UNREADABLE, "not a case identifier",
             file_name=f"{path.stem}#2.ttl"),
        Variant(f"{path.stem}:folder named .ttl", {**valid, "old-cases.ttl": None},
                "old-cases.ttl", UNREADABLE, "folder"),
        Variant(f"{path.stem}:two files, one broken", {**valid, "zz-broken.ttl": b"<a> <b> ."},
                "zz-broken.ttl", UNREADABLE, "broken Turtle", line=1),
    ]


#: every family of variants; a new kind of source adds its own here.
FAMILIES: list[Family] = [string_for_term, wrong_datatypes, missing_required, broken_syntax,
                          bytes_and_characters, empty_files, deep_and_huge, bad_file_names]


def variants(sources: Sequence[Path] = SHIPPED,
             families: Sequence[Family] = FAMILIES) -> list[Variant]:
    """Every variant of ``sources`` from ``families``, with unique names."""
    found = [v for family in families for v in family(sources)]
    names = [v.name for v in found]
    assert len(names) == len(set(names)), "variant names must be unique"
    return found


VARIANTS = variants()

def test_there_are_at_least_60_variants() -> None:
    assert len(VARIANTS) >= 60, len(VARIANTS)
    assert len({v.name.split(":")[1] for v in VARIANTS}) >= 40  # kinds of damage, not copies


def test_every_shipped_turtle_case_is_mutated() -> None:
    assert {v.name.split(":")[0] for v in VARIANTS} == {p.stem for p in SHIPPED}


# --- running the build on each variant --------------------------------------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build of the shipped Turtle cases, which no variant may change."""
    cases = tmp_path_factory.mktemp("shipped-cases")
    for path in SHIPPED:
        (cases / path.name).write_bytes(path.read_bytes())
    out = tmp_path_factory.mktemp("dist")
    assert main(["build", "--skip-reasoner", "--quiet", "--cases", str(cases),
                 "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_build_refuses_the_variant_clearly(variant: Variant, previous_build: Path,
                                           tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    cases = variant.write(tmp_path / "cases")
    before = _snapshot(previous_build)
    capfd.readouterr()
    code = main(["build", "--skip-reasoner", "--cases", str(cases), "--out", str(previous_build)])
    out, err = capfd.readouterr()
    assert code == variant.exit_code, err
    assert "Traceback" not in out + err
    assert f"{cases / variant.names}" in err, err
    if variant.line is not None:
        assert f"{cases / variant.names}:{variant.line}:" in err, err
    if variant.exit_code == UNREADABLE and variant.fragment == "broken Turtle":
        assert re.search(rf"{re.escape(str(cases / variant.names))}:\d+:\d+: ", err), err
    assert variant.fragment in err, err
    if "term" in variant.extra:
        assert f"write the term itself, {variant.extra['term']} (" in err, err
    assert _snapshot(previous_build) == before


@pytest.mark.parametrize("variant", [v for v in VARIANTS if "term" in v.extra][:4],
                         ids=lambda v: v.name)
def test_validate_names_file_node_property_and_term(variant: Variant, tmp_path: Path,
                                                    capfd: pytest.CaptureFixture) -> None:
    cases = variant.write(tmp_path / "cases")
    code = main(["validate", str(cases)])
    out, err = capfd.readouterr()
    assert code == VIOLATION and "Traceback" not in out + err
    [line] = [line for line in out.splitlines() if variant.fragment in line]
    assert line.startswith(f"{cases / variant.names}: case {Path(variant.names).stem}: "
                           "Violation: case:")
    assert f"write the term itself, {variant.extra['term']} (" in line


def test_a_folder_without_case_files_does_not_conform(tmp_path: Path,
                                                      capfd: pytest.CaptureFixture) -> None:
    assert main(["validate", str(tmp_path)]) == UNREADABLE
    out, err = capfd.readouterr()
    assert "conforms" not in out and f"{tmp_path}: no case files" in err


# --- hostile query parameters -----------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store built from the shipped Turtle cases."""
    cases = tmp_path_factory.mktemp("store-cases")
    for path in SHIPPED:
        (cases / path.name).write_bytes(path.read_bytes())
    folder = tmp_path_factory.mktemp("store") / "kg"
    assert main(["build", "--quiet", "--skip-reasoner", "--store", str(folder),
                 "--cases", str(cases)]) == 0
    return folder


def _query(store: Path, name: str, *params: str) -> list[str]:
    return ["query", name, "--store", str(store), "--format", "csv",
            *(a for p in params for a in ("--param", p))]


#: (name, parameter, fragment of the error): values refused before any query runs.
REFUSED = [
    ("byte not UTF-8", "structure=caf\udce9", "the byte 0xe9, which is not UTF-8"),
    ("lone surrogate", "structure=a\ud800b", "U+D800, half of a surrogate pair"),
    ("1 MB string", "structure=" + "a" * 1_000_000, "1000000 characters long"),
    ("IRI breaking out", "node=x> } ; DROP ALL ; #", "not allowed in an IRI"),
    ("IRI with a space", "node=https://w3id.org/vlmskg/case/a b", "not allowed in an IRI"),
    ("blank text", "structure=   ", "is empty: it would match everything"),
    ("unknown parameter", "structur=atrium", "Did you mean 'structure'?"),
    ("name not UTF-8", "str\udcffucture=atrium", "has no parameter"),
]


@pytest.mark.parametrize("name, param, fragment", REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_parameter_is_refused(name: str, param: str, fragment: str, store: Path,
                                      capfd: pytest.CaptureFixture) -> None:
    query = "provenance-of-fact" if param.startswith("node=") else "cases-involving-structure"
    code = main(_query(store, query, param))
    out, err = capfd.readouterr()
    assert code != 0 and out == "" and "Traceback" not in err
    assert "vlmskg query: error: " in err and fragment in err, err
    assert len(err) < 2000


#: text that would break out of a pasted query: bound as a term, it only matches nothing.
INJECTIONS = ['x" } } ; DROP ALL ; #', "x' } INSERT DATA { <a:b> <a:c> <a:d> } #",
              "} UNION { ?s ?p ?o", "\\\" ) } #", "atrium\n} ; CLEAR ALL"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempt_matches_nothing_and_changes_nothing(
        text: str, store: Path, capfd: pytest.CaptureFixture) -> None:
    assert main(_query(store, "cohort")) == 0
    cohort_before = capfd.readouterr().out
    code = main(_query(store, "cases-involving-structure", f"structure={text}"))
    out, err = capfd.readouterr()
    assert code == 0 and "Traceback" not in err
    assert out.splitlines()[1:] == []  # the header only
    assert main(_query(store, "cohort")) == 0
    assert capfd.readouterr().out == cohort_before
    assert len(cohort_before.splitlines()) == 1 + len(SHIPPED)
