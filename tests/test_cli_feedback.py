"""What a user sees from ``vlmskg``: its version, nearest-name suggestions, progress of long
work on a terminal (and silence otherwise), ``--store`` that opens only an existing store, and
a quiet end when the reader of its output goes away."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from kg import progress
from kg.cli import main, package_version
from kg.errors import InputError
from kg.resources import case_files
from kg.store.embedded import check_store_path

CASE = next(p for p in case_files() if p.suffix == ".ttl")


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_version(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"vlmskg {package_version()}\n"
    assert package_version() == "0.1.0"  # pyproject.toml


@pytest.mark.parametrize("argv, suggestion", [
    (["valdate"], "Did you mean 'validate'?"),
    (["querys"], "Did you mean 'query' or 'queries'?"),
    (["validate", "--formt", "json"], "Did you mean '--format'?"),
    (["validate", "--format", "jsn"], "Did you mean 'json'?"),
    (["build", "--skip-reasoning"], "Did you mean '--skip-reasoner'?"),
])
def test_a_mistyped_command_or_option_gets_the_nearest_name(
        argv: list[str], suggestion: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(suggestion), err


def test_a_mistyped_query_name_gets_the_nearest_names(capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "cohrt"]) == 1
    err = capsys.readouterr().err
    assert "no stored query named 'cohrt'. Did you mean 'cohort'?" in err
    assert main(["query", "metastasis-site"]) == 1
    assert "Did you mean 'metastasis-sites'" in capsys.readouterr().err


def test_a_mistyped_parameter_gets_the_nearest_name(capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "literature-statements", "--param", "abut=rate"]) == 1
    err = capsys.readouterr().err
    assert "has no parameter 'abut'. Did you mean 'about'?" in err
    assert "its parameters are: about" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_is_accepted_before_or_after_the_command(where: str,
                                                       capsys: pytest.CaptureFixture) -> None:
    argv = ["validate", str(CASE)]
    argv = ["--quiet", *argv] if where == "before" else [*argv, "-q"]
    assert main(argv) == 0
    assert "conforms" in capsys.readouterr().out


def test_progress_shows_steps_with_counts_on_a_terminal() -> None:
    terminal = _Terminal()
    reporter = progress.Reporter.for_terminal(terminal)
    assert reporter is not None
    with progress.reporting(reporter):
        for _ in progress.track(range(3), "validating cases"):
            pass
    shown = terminal.getvalue()
    assert "validating cases [" in shown and "] 0/3" in shown  # the bar, redrawn with \r
    assert shown.rstrip("\n").rsplit("\r", 1)[-1].startswith("validating cases: 3/3 (")
    assert shown.endswith("\n")


def test_progress_is_silent_when_not_a_terminal_or_quiet() -> None:
    assert progress.Reporter.for_terminal(io.StringIO()) is None
    assert progress.Reporter.for_terminal(_Terminal(), quiet=True) is None
    assert progress.active() is None  # library use: nothing is shown


def test_the_command_reports_progress_only_on_a_terminal(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["validate", str(CASE)]) == 0
    assert "validating cases (pySHACL): 1/1" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["validate", "--quiet", str(CASE)]) == 0
    assert quiet.getvalue() == ""
    capsys.readouterr()


def test_a_mistyped_store_path_is_an_error_naming_the_nearest_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "cohort-store").mkdir()
    (tmp_path / "cohort-store" / "CURRENT").write_text("MANIFEST-000005\n")
    typo = tmp_path / "cohort-stroe"
    assert main(["query", "cohort", "--store", str(typo)]) == 2
    err = capsys.readouterr().err
    assert f"{typo}: no store in this folder (it does not exist). Did you mean 'cohort-store'?" \
        in err
    assert "--create" in err
    assert not typo.exists()  # nothing was built there


def test_store_is_created_only_when_asked(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="it is empty"):
        check_store_path(empty)
    check_store_path(empty, create=True)
    check_store_path(tmp_path / "new", create=True)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    with pytest.raises(InputError, match="holds files but no store"):
        check_store_path(tmp_path / "notes", create=True)
    with pytest.raises(InputError, match="a file, not a store"):
        check_store_path(tmp_path / "notes" / "a.txt")


def test_create_without_store_is_refused(capsys: pytest.CaptureFixture) -> None:
    assert main(["query", "cohort", "--create"]) == 1
    assert "--create applies to --store PATH only" in capsys.readouterr().err


def test_output_pipe_closed_early_ends_quietly() -> None:
    child = subprocess.Popen([sys.executable, "-m", "kg", "queries"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader goes away, as `| head` does
    err = child.stderr.read().decode()
    assert child.wait() == 141
    assert err == ""


def test_library_log_records_do_not_reach_the_user(tmp_path: Path) -> None:
    # in a separate process: pytest's own log handlers would hide rdflib's records here
    text = CASE.read_text(encoding="utf-8")
    broken = tmp_path / CASE.name
    broken.write_text(text.replace('ageYears "72"^^xsd:integer',
                                   'ageYears "seventy"^^xsd:integer'), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "validate", str(broken)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    assert "vlms:ageYears (value: seventy)" in done.stdout
    assert done.stderr == ""  # rdflib logs a traceback for the ill-typed literal otherwise
