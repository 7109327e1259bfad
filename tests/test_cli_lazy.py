"""What the ``migkg`` commands import, where their settings come from, and how the process ends.

``migkg validate`` must not load pydantic-settings or the web stack (the import alone cost more than
the validation of a small graph); the commands that do need Settings still read them from the same
``MIGKG_*`` variables. Behaviour, not timing: the probe lists ``sys.modules`` after a real run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from migkg.build import build_backend
from migkg.cli import app
from migkg.cli.common import Invocation, layout_of
from migkg.config import Settings
from migkg.journal import Journal
from migkg.layout import Layout, ProjectFolders
from migkg.stores.base import UpdateRequest

REPO = Path(__file__).parents[1]

# What validate has no use for: pydantic-settings (Settings), the web app and its server, the
# remote-store client.
NOT_FOR_VALIDATE = ("pydantic_settings", "migkg.config", "fastapi", "starlette", "uvicorn",
                    "SPARQLWrapper", "migkg.web", "migkg.stores.sparql_client")

# Runs the command as the console script does, then writes the modules it loaded to argv[1].
PROBE = """
import json, sys
from migkg.cli import app
try:
    app(sys.argv[2:], prog_name="migkg")
except SystemExit as stop:
    code = stop.code
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""

NO_ISSUER = """<https://w3id.org/migkg/id/instrument/test-no-issuer>
    a <https://w3id.org/migkg/ontology#DocumentaryInstrument> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "Test instrument without an issuer"@en ;
    <http://purl.org/dc/terms/source> <https://example.org/source> ;
    <http://data.europa.eu/eli/ontology#date_document> "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
    <http://data.europa.eu/eli/ontology#jurisdiction> <https://w3id.org/migkg/concept/place/morocco> ;
    <https://w3id.org/migkg/ontology#curationStatus> <https://w3id.org/migkg/concept/curation-status/unverified> ;
    <https://w3id.org/migkg/ontology#governanceLevel> <https://w3id.org/migkg/concept/governance-level/national> ;
    <https://w3id.org/migkg/ontology#instrumentType> <https://w3id.org/migkg/concept/instrument-type/law> .
"""


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any ``MIGKG_*`` variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MIGKG_")}
    return {**env, **extra}


def probe(tmp_path: Path, args: list[str], env: dict[str, str]) -> tuple[int, set[str], str]:
    """Run ``migkg ARGS`` in a fresh interpreter: exit code, modules loaded, stdout."""
    listing = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert listing.exists(), done.stderr
    found = json.loads(listing.read_text())
    return found["code"], set(found["modules"]), done.stdout


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """The ontology and shapes, and one record that breaks Requirement 01 (no issuer)."""
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data" / "instruments").mkdir(parents=True)
    (root / "data" / "instruments" / "test-no-issuer.ttl").write_text(NO_ISSUER, "utf-8")
    return root


def test_validate_help_loads_neither_settings_nor_the_web_stack(tmp_path: Path) -> None:
    code, modules, out = probe(tmp_path, ["validate", "--help"], clean_environment())
    assert code == 0
    assert "--engine" in out
    assert loaded(modules, NOT_FOR_VALIDATE) == []


@pytest.mark.parametrize("mode", [[], ["--full"]], ids=["incremental", "full"])
def test_validate_runs_without_settings_or_the_web_stack(
    tmp_path: Path, small_project: Path, mode: list[str]
) -> None:
    code, modules, out = probe(tmp_path, ["--root", str(small_project), "validate", *mode],
                               clean_environment())
    assert code == 1  # it did validate: the record has no issuer
    assert "test-no-issuer" in out
    assert "Requirement-01" in out
    assert loaded(modules, NOT_FOR_VALIDATE) == []
    assert "pyshacl_turbo" in modules


def test_serve_help_does_not_load_the_web_app(tmp_path: Path) -> None:
    code, modules, _ = probe(tmp_path, ["serve", "--help"], clean_environment())
    assert code == 0
    assert loaded(modules, ("fastapi", "uvicorn", "migkg.web", "pydantic_settings")) == []


def test_validate_reads_the_journal_named_by_the_environment(tmp_path: Path, small_project: Path) -> None:
    """With MIGKG_JOURNAL_DIR set, validate takes its Settings from the environment (as every
    command does), and validates the data with that journal's updates applied."""
    (small_project / "data" / "instruments" / "test-no-issuer.ttl").unlink()
    journal = tmp_path / "elsewhere"  # not data/journal: only the variable says where it is
    settings = Settings(root_dir=small_project, journal_dir=journal)
    backend, _ = build_backend(settings)
    backend.journal = Journal(journal)
    backend.update(UpdateRequest(
        "INSERT DATA { GRAPH <https://w3id.org/migkg/graph/data/instruments/test-no-issuer> {"
        + NO_ISSUER + "} }"))
    backend.close()
    assert Journal(journal).files()

    args = ["--root", str(small_project), "validate"]
    code, modules, out = probe(tmp_path, args, clean_environment())
    assert code == 0, out  # the sources alone conform; data/journal is empty
    assert "pydantic_settings" not in modules
    code, modules, out = probe(tmp_path, args, clean_environment(MIGKG_JOURNAL_DIR=str(journal)))
    assert code == 1, out
    assert "test-no-issuer" in out
    assert "Requirement-01" in out
    assert "pydantic_settings" in modules


def test_a_setting_that_does_not_validate_fails_validate_as_before(small_project: Path) -> None:
    """Any MIGKG_* variable takes validate through the real Settings: a bad one is refused."""
    runner = CliRunner()
    result = runner.invoke(app, ["--root", str(small_project), "validate"],
                           env={"MIGKG_PORT": "not-a-port"})
    assert result.exit_code != 0
    assert "port" in str(result.exception)


def test_the_light_layout_has_the_folders_of_the_settings(tmp_path: Path) -> None:
    folders = [name for name, value in vars(ProjectFolders).items() if isinstance(value, property)]
    assert {"ontology_dir", "data_dir", "shapes_dir", "queries_dir", "journal_folder",
            "source_dirs"} <= set(folders)
    light, settings = Layout(root_dir=tmp_path), Settings(root_dir=tmp_path)
    for name in folders:
        assert getattr(light, name) == getattr(settings, name), name


def test_layout_of_is_the_settings_when_a_variable_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    for name in list(os.environ):
        if name.upper().startswith("MIGKG_"):
            monkeypatch.delenv(name)
    command = typer.main.get_command(app)
    with typer.Context(command, obj=Invocation(tmp_path)) as ctx:  # type: ignore[arg-type]
        assert type(layout_of(ctx)) is Layout
        monkeypatch.setenv("migkg_journal_dir", str(tmp_path / "j"))  # case-insensitive, as pydantic's
        chosen = layout_of(ctx)
    assert isinstance(chosen, Settings)
    assert chosen.journal_folder == tmp_path / "j"


# The console script's call (app() reading sys.argv), with an atexit handler that says when the
# interpreter's teardown runs.
AS_SCRIPT = """
import atexit, sys
atexit.register(lambda: print("teardown ran", file=sys.stderr, flush=True))
from migkg.cli import app
sys.argv = ["migkg", *sys.argv[1:]]
app()
"""


def as_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", AS_SCRIPT, *args], capture_output=True, text=True,
                          timeout=300, check=False, env=clean_environment())


def test_an_in_memory_build_ends_without_teardown_and_with_its_output(small_project: Path) -> None:
    done = as_script("--root", str(small_project), "-v", "build")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ")
    assert done.stdout.endswith(" quads in memory\n")
    assert "INFO migkg.build: built" in done.stderr  # the log handler was flushed
    assert "teardown ran" not in done.stderr


def test_other_commands_and_failures_end_as_usual(small_project: Path, tmp_path: Path) -> None:
    done = as_script("--root", str(small_project), "build", "--store-dir", str(tmp_path / "store"))
    assert done.returncode == 0, done.stderr
    assert "teardown ran" in done.stderr  # on disk: the store is closed as usual
    (small_project / "data" / "broken.ttl").write_text('<urn:a> <urn:b> "open .\n', encoding="utf-8")
    done = as_script("--root", str(small_project), "build")
    assert done.returncode == 2
    assert "data/broken.ttl:1:" in done.stderr
    assert "teardown ran" in done.stderr


def test_under_the_test_runner_a_build_keeps_nothing(small_project: Path) -> None:
    import migkg.cli.common

    result = CliRunner().invoke(app, ["--root", str(small_project), "build"])
    assert result.exit_code == 0
    assert migkg.cli.common._left_to_exit == []
