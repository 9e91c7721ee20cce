"""The command line: its conventions (version, help, examples), ``datawall forecast``'s JSON
contract and table (refusals: test_bad_input)."""

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from forecast import store
from tests.helpers import run_cli


def test_forecast_json_contract(in_stored, capsys):
    before = store.run_path("datawall").stat().st_mtime_ns
    assert run_cli("forecast", "datawall", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["datawall"]
    entry = result["datawall"]
    for name in ("exhaustion_year", "dataset_growth_per_year", "effective_stock_tokens"):
        h = entry["headline"][name]
        assert set(h) == {"median", "p10", "p90", "unit"}
        # None: beyond the projection's horizon (an exhaustion year after 2100)
        assert h["p10"] <= h["median"] <= (np.inf if h["p90"] is None else h["p90"])
    assert set(entry["diagnostics"]) >= {"rhat_max", "ess_bulk_min", "divergences"}
    assert set(entry["p_exhausted_by"]) >= {"2026", "2028", "2030", "2032", "2035"}
    probs = list(entry["p_exhausted_by"].values())
    assert probs == sorted(probs) and all(0 <= p <= 1 for p in probs)
    assert store.run_path("datawall").stat().st_mtime_ns == before  # reused, not refitted


def test_forecast_table_and_strict(in_stored, capsys):
    assert run_cli("forecast", "datawall") == 0
    text = capsys.readouterr().out
    assert "exhaustion_year" in text and "P(exhausted by Y)" in text and "diagnostics" in text


# ----------------------------------------------------------------------- conventions


def _commands() -> dict[str, object]:
    """Every command and group of the CLI by its path (``""``, ``"data check"``, ...)."""
    from typer.core import TyperGroup
    from typer.main import get_command

    from forecast.cli import app

    found = {}

    def walk(path: str, command) -> None:
        found[path] = command
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(f"{path} {name}".strip(), sub)

    walk("", get_command(app))
    return found


def _examples(command) -> list[list[str]]:
    """The example command lines of a command's help epilog, split as a shell would."""
    text = (command.epilog or "").partition("Examples:")[2].replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in text.splitlines() if line.strip()]


def test_version_prints_it_and_exits_0(capsys):
    from forecast import __version__

    assert run_cli("--version") == 0
    assert capsys.readouterr().out == f"datawall {__version__}\n"


@pytest.mark.parametrize("path", list(_commands()))
def test_every_command_takes_h_for_help_and_shows_flags_bare(path, capsys):
    args = path.split()
    assert run_cli(*args, "--help") == 0
    long = capsys.readouterr().out
    assert run_cli(*args, "-h") == 0
    assert capsys.readouterr().out == long
    assert "Usage: datawall" in long and "<bool>" not in long


@pytest.mark.parametrize(("path", "command"), list(_commands().items()))
def test_every_command_help_has_an_example_that_parses(path, command, capsys):
    examples = _examples(command)
    assert examples, f"no example in the help of 'datawall {path}'"
    assert run_cli(*path.split(), "--help") == 0
    assert "Examples:" in capsys.readouterr().out
    for tokens in examples:
        assert tokens[0] == "datawall"
        # The example names this command (or, at the top, any) and its options parse.
        assert " ".join(tokens[1:]).startswith(path)
        target, args = _commands()[""], tokens[1:]
        while hasattr(target, "commands"):
            target = target.commands[args[0]]
            args = args[1:]
        target.make_context(tokens[0], args)  # a usage error raises


# ----------------------------------------------------------------------- listings


def test_models_lists_every_model_one_line_each(capsys):
    from forecast.models import REGISTRY

    assert run_cli("models") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(REGISTRY)
    for line, spec in zip(lines, REGISTRY.values(), strict=True):
        assert spec.description in line
        assert all(name in line.partition(spec.description)[2] for name in spec.requires)
    assert run_cli("models", "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing == [
        {"name": s.name, "description": s.description, "requires": list(s.requires)}
        for s in REGISTRY.values()
    ]


def test_scenarios_lists_every_scenario_and_whether_it_refits(project, capsys):
    from forecast.scenarios import load_scenario

    files = sorted((project / "priors" / "scenarios").glob("*.toml"))
    expected = [load_scenario(str(f)) for f in files]
    assert run_cli("scenarios") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(files) + 1  # and what "refit" and "levers" mean
    for line, scenario in zip(lines, expected, strict=False):
        name, how, *_ = line.split()
        assert (name, how) == (scenario.name, "refit" if scenario.changes_fit else "levers")
        assert scenario.description in line
    assert {"cottier2024", "villalobos2024"} <= {s.name for s in expected if s.changes_fit}
    assert run_cli("scenarios", "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(s["name"], s["changes_fit"]) for s in listing] == [
        (s.name, s.changes_fit) for s in expected
    ]
    assert all(s["description"] and s["source"] for s in listing)


# ----------------------------------------------------------------------- stress sweeps

SWEEP_2D = [
    "--sweep", "power.lab_share=0.1:0.5:4",
    "--sweep", "power.extra_grid_delay_years=0:3:2",
    "--sweep-draws", "100",
]  # fmt: skip


def test_a_two_key_sweep_prints_a_pivot_and_saves_it_and_its_heatmap(in_stored, capsys):
    assert run_cli("stress", *SWEEP_2D) == 0
    text = capsys.readouterr().out
    assert (
        "walls.first_wall_year, median (year): power.lab_share down, "
        "power.extra_grid_delay_years across" in text
    )
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["0.1", "0.233333", "0.366667", "0.5"]
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    assert [cell.strip() for cell in header.split("┃")[1:-1]] == ["power.lab_share", "0", "3"]
    assert "…" not in text and "baseline[" not in text  # no row per scenario, nothing cut
    saved = Path(re.search(r"saved (\S+\.nc)", text)[1])
    assert saved.parent == in_stored / "runs" / "stress"
    png, csv = saved.with_suffix(".png"), saved.with_suffix(".csv")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert csv.read_text().startswith("# datawall stress pivot")
    assert f"saved {csv} and {png}" in text
    # Again, as JSON: the files are replaced, and named.
    assert run_cli("stress", *SWEEP_2D, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pivot"] == {
        "headline": "walls.first_wall_year",
        "csv": str(csv),
        "figure": str(png),
    }
    assert len(report["scenarios"]) == 1 + 4 * 2


def test_the_pivot_is_saved_beside_out(in_stored, tmp_path, capsys):
    out = tmp_path / "mine" / "grid.nc"
    code = run_cli("stress", *SWEEP_2D, "--headline", "datawall.exhaustion_year", "--out", str(out))
    assert code == 0
    assert "datawall.exhaustion_year, median (year)" in capsys.readouterr().out
    assert sorted(p.name for p in out.parent.iterdir()) == ["grid.csv", "grid.nc", "grid.png"]


def test_a_one_key_sweep_keeps_its_table(in_stored, capsys):
    assert run_cli("stress", "--sweep", "power.lab_share=0.1:0.5:3", "--sweep-draws", "100") == 0
    text = capsys.readouterr().out
    assert "stress: 4 scenarios" in text and "median (year):" not in text
    saved = Path(re.search(r"saved (\S+\.nc)", text)[1])
    assert not saved.with_suffix(".png").exists() and not saved.with_suffix(".csv").exists()
