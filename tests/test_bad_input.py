"""Bad input, as a hostile user would give it: every refusal exits 2, says where, changes nothing.

Each class of bad input is one parametrized test. Every case runs the command line in a
throwaway project holding stored runs and a report (stand-ins: no case may read them, since
every refusal comes before any work), and asserts the exit code, the located message (the
file or option, and the line, key or byte offset where they apply) and that no file of the
project changed, and none appeared (``runs/``, ``reports/``, ``data/``, ``priors/`` hashed
before and after).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from forecast.data import csv_records
from tests.helpers import EPOCH_EXPORT, run_cli

#: Epoch's Notable AI Models export (47 columns, rows starting on lines 2-28; test_import_epoch).
#: The first bytes of a NetCDF-4 file: what the stand-in runs start with.
HDF5 = b"\x89HDF\r\n\x1a\n"


@pytest.fixture
def root(project: Path, tmp_path: Path) -> Path:
    """The project, with stored runs and a report to lose (stand-ins: bytes, not fits)."""
    for model in ("compute", "datawall", "walls"):
        run = project / "runs" / "baseline" / f"{model}.nc"
        run.parent.mkdir(parents=True, exist_ok=True)
        run.write_bytes(HDF5 + model.encode())
    (project / "runs" / "stress").mkdir()
    (project / "runs" / "stress" / "baseline.nc").write_bytes(HDF5 + b"stress")
    report = project / "reports" / "2026-Q3"
    (report / "figures").mkdir(parents=True)
    (report / "summary.json").write_text('{"quarter": "2026Q3"}\n')
    (report / "figures" / "walls.png").write_bytes(b"\x89PNG\r\n\x1a\nwalls")
    (tmp_path / "outside").mkdir()
    return project


def snapshot(*folders: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under ``folders`` (what must not change)."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


Setup = Callable[[Path, Path], None]


def refused(
    root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setup: Setup | None,
    args: list[str],
    expected: list[str],
) -> str:
    """Run ``args`` after ``setup``; check exit 2, the message and that nothing changed.

    ``{root}`` and ``{tmp}`` in ``args`` and ``expected`` are the project and a scratch folder.
    """
    if setup:
        setup(root, tmp_path)
    before = snapshot(root, tmp_path)
    fill = {"root": str(root), "tmp": str(tmp_path)}
    code = run_cli(*(a.format(**fill) for a in args))
    err = capsys.readouterr().err
    assert code == 2, err
    for fragment in expected:
        assert fragment.format(**fill) in err, err
    assert "Traceback" not in err
    assert snapshot(root, tmp_path) == before
    return err


# ------------------------------------------------------------------------------------ helpers


def scenario_file(text: str, name: str = "s.toml") -> Setup:
    def setup(root: Path, tmp: Path) -> None:
        (tmp / name).write_bytes(text.encode() if isinstance(text, str) else text)

    return setup


def lever_scenario(name: object) -> str:
    shown = f"name = {name!r}\n".replace("'", '"') if name is not None else ""
    return f"[scenario]\n{shown}[datawall.levers]\ntokens_per_param = 40.0\n"


def set_cell(table: str, index: int, column: str, value: str) -> Setup:
    """Set one cell of a table (``index``: 0-based data row), keeping the others' bytes."""

    def setup(root: Path, tmp: Path) -> None:
        path = root / "data" / f"{table}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[index + 1][rows[0].index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    return setup


def line_of(root: Path, table: str, index: int) -> int:
    """Return the line where data row ``index`` of a bundled table starts (header = 1)."""
    path = root / "data" / f"{table}.csv"
    return list(csv_records(path, path.read_text(encoding="utf-8")))[index + 1][0]


def replace_bytes(relative: str, transform: Callable[[bytes], bytes]) -> Setup:
    def setup(root: Path, tmp: Path) -> None:
        path = root / relative
        path.write_bytes(transform(path.read_bytes()))

    return setup


def export(transform: Callable[[bytes], bytes]) -> Setup:
    """An Epoch export in the scratch folder: the fixture, transformed."""

    def setup(root: Path, tmp: Path) -> None:
        (tmp / "export.csv").write_bytes(transform(EPOCH_EXPORT.read_bytes()))

    return setup


def latin1_at(offset: int) -> Callable[[bytes], bytes]:
    return lambda raw: raw[:offset] + b"\xe9" + raw[offset + 1 :]


# ----------------------------------------------------------------------- 1. scenario names


@pytest.mark.parametrize(
    ("name", "command", "fragment"),
    [
        ("../../../outside/x", "forecast", "got '../../../outside/x'"),
        ("", "forecast", "got ''"),
        ("baseline", "forecast", "'baseline' is reserved for the bundled"),
        ("[/]x", "stress", "got '[/]x'"),
        ("a b", "fit", "got 'a b'"),
        ("x/y", "backtest", "got 'x/y'"),
        ("-x", "forecast", "got '-x'"),
        ("baseline-as-of-2024-01-01", "forecast", "ends like the engine's as-of cuts"),
        ("grid_delays", "stress", "'grid_delays' is the name of the bundled"),
        ("x" * 65, "forecast", "at most 64 characters"),
        (3, "forecast", "got 3"),
    ],
)
def test_a_scenario_name_that_is_not_an_identifier_is_refused(
    root, tmp_path, capsys, name, command, fragment
):
    extra = {"backtest": ["--as-of", "2024-01-01"], "fit": ["compute"]}.get(command, [])
    refused(
        root,
        tmp_path,
        capsys,
        scenario_file(lever_scenario(name)),
        [command, *extra, "--scenario", "{tmp}/s.toml"],
        ["{tmp}/s.toml, column 'scenario.name'", fragment],
    )
    assert not (tmp_path / "outside" / "x").exists()


@pytest.mark.parametrize(
    ("file_name", "text", "fragment"),
    [
        ("my scenario.toml", lever_scenario(None), "got 'my scenario'"),  # the name is the stem
        ("copy.toml", lever_scenario("grid_delays"), "'grid_delays' is the name of the bundled"),
        ("evil.toml", lever_scenario("../../runs/baseline"), "got '../../runs/baseline'"),
    ],
)
def test_a_bad_name_among_the_bundled_scenarios_fails_data_check(
    root, tmp_path, capsys, file_name, text, fragment
):
    def setup(root: Path, tmp: Path) -> None:
        (root / "priors" / "scenarios" / file_name).write_text(text)

    refused(
        root,
        tmp_path,
        capsys,
        setup,
        ["data", "check"],
        [f"priors/scenarios/{file_name}, column 'scenario.name'", fragment],
    )


@pytest.mark.parametrize(
    ("args", "value"),
    [
        (["forecast", "datawall"], "../../somewhere/f"),
        (["stress"], "a/b"),
        (["outlook"], "x y"),
        (["fit", "compute"], ".."),
    ],
)
def test_a_scenario_option_that_is_neither_a_name_nor_a_toml_path_is_refused(
    root, tmp_path, capsys, args, value
):
    refused(
        root,
        tmp_path,
        capsys,
        None,
        [*args, "--scenario", value],
        ["--scenario: expected the name of a scenario in priors/scenarios/", repr(value)],
    )


# ----------------------------------------------------------------------------- 2. --out


def _file(relative: str, content: bytes = b"notes\n") -> Setup:
    def setup(root: Path, tmp: Path) -> None:
        path = tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    return setup


BACKTEST = ["backtest", "--as-of", "2024-01-01"]
SWEEP_2D = [
    "stress",
    "--sweep",
    "power.lab_share=0.1:0.3:2",
    "--sweep",
    "walls.capex_growth_per_year=1:2:2",
]


@pytest.mark.parametrize(
    ("setup", "args", "fragment"),
    [
        (None, ["stress", "--out", "/proc/x.nc"], "--out: cannot write in /proc"),
        (_file("README.md"), ["stress", "--out", "{tmp}/README.md/x.nc"], "README.md is a file"),
        (None, ["stress", "--out", "{tmp}/outside"], "{tmp}/outside is a folder"),
        (_file("notes.nc"), ["stress", "--out", "{tmp}/notes.nc"], "is not a previous result"),
        (None, ["stress", "--out", "{root}/data/result.nc"], "is among the inputs"),
        (None, ["stress", "--out", "/dev/null"], "/dev/null is not a regular file"),
        (None, [*BACKTEST, "--out", "/proc/b.nc"], "--out: cannot write in /proc"),
        (_file("f"), [*BACKTEST, "--out", "{tmp}/f/b.nc"], "{tmp}/f is a file"),
        (_file("b.png", b"text"), [*BACKTEST, "--out", "{tmp}/b.nc"], "b.png exists and is not"),
        (_file("s.csv", b"a,b\n"), [*SWEEP_2D, "--out", "{tmp}/s.nc"], "s.csv exists and is not"),
        (_file("s.png", b"text"), [*SWEEP_2D, "--out", "{tmp}/s.nc"], "s.png exists and is not"),
        (None, ["outlook", "--out", "/proc/x"], "--out: cannot write in /proc"),
        (_file("report"), ["outlook", "--out", "{tmp}/report"], "report is a file, not a folder"),
        (_file("mine/notes.txt"), ["outlook", "--out", "{tmp}/mine"], "not an outlook's"),
        (None, ["outlook", "--out", "{root}/priors/x"], "is among the inputs"),
    ],
)
def test_an_out_target_that_cannot_take_the_result_is_refused_before_any_work(
    root, tmp_path, capsys, setup, args, fragment
):
    refused(root, tmp_path, capsys, setup, args, [fragment])


# --------------------------------------------------------------------------- 3. encodings


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (
            replace_bytes("data/models.csv", latin1_at(400)),
            ["data", "check"],
            ["{root}/data/models.csv, line ", "byte 0xe9 at byte offset 400"],
        ),
        (
            replace_bytes("data/models.csv", latin1_at(400)),
            ["forecast", "datawall"],
            ["{root}/data/models.csv, line ", "not UTF-8", "byte offset 400"],
        ),
        (
            replace_bytes("data/grid_connection.csv", lambda b: b.decode().encode("utf-16")),
            ["data", "check"],
            ["grid_connection.csv, line 1: NUL byte at byte offset 3"],
        ),
        (
            replace_bytes("data/accelerators.csv", lambda b: b[:200] + b"\x00" + b[200:]),
            ["data", "check"],
            ["accelerators.csv, line ", "NUL byte at byte offset 200: a binary file"],
        ),
        (
            replace_bytes("data/training_costs.csv", lambda b: bytes(range(256)) * 4),
            ["data", "check"],
            ["training_costs.csv, line 1: NUL byte at byte offset 0"],
        ),
        (
            replace_bytes("priors/datawall.toml", latin1_at(50)),
            ["forecast", "datawall"],
            ["{root}/priors/datawall.toml, line ", "byte offset 50"],
        ),
        (
            scenario_file(b'[scenario]\nname = "caf\xe9"\n'),
            ["forecast", "--scenario", "{tmp}/s.toml"],
            ["{tmp}/s.toml, line 2: not UTF-8: byte 0xe9 at byte offset 22"],
        ),
        (
            export(latin1_at(1000)),
            ["data", "import-epoch", "{tmp}/export.csv"],
            ["{tmp}/export.csv, line ", "byte offset 1000"],
        ),
        (
            export(lambda b: b.decode().encode("utf-16")),
            ["data", "compare", "{tmp}/export.csv"],
            ["{tmp}/export.csv, line 1: NUL byte at byte offset 3"],
        ),
    ],
)
def test_a_file_that_is_not_utf8_is_refused_naming_the_byte_offset(
    root, tmp_path, capsys, setup, args, expected
):
    refused(root, tmp_path, capsys, setup, args, expected)


# ---------------------------------------------------------------------- 4. missing inputs


def _remove(relative: str) -> Setup:
    return lambda root, tmp: (root / relative).unlink()


@pytest.mark.parametrize(
    ("setup", "args", "fragment"),
    [
        (_remove("data/models.csv"), ["data", "check"], "data/models.csv: file not found"),
        (_remove("data/grid_connection.csv"), ["data", "check"], "grid_connection.csv: file not"),
        (_remove("data/hbm_generations.csv"), ["data", "check"], "hbm_generations.csv: file not"),
        (_remove("priors/power.toml"), ["data", "check"], "power.toml: prior file not found"),
        (None, ["forecast", "--scenario", "nope"], "nope.toml: scenario not found"),
        (None, ["data", "import-epoch", "{tmp}/none.csv"], "{tmp}/none.csv: file not found"),
    ],
)
def test_a_missing_input_is_refused(root, tmp_path, capsys, setup, args, fragment):
    refused(root, tmp_path, capsys, setup, args, [fragment])


# -------------------------------------------------------------------------------- 5. seeds


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["fit", "compute", "--seed", "-1"], "--seed: expected a whole number from 0 to"),
        (["fit", "compute", "--seed", "4294967296"], "got 4294967296"),
        ([*BACKTEST, "--seed", "-5"], "--seed: expected a whole number from 0 to"),
        (["fit", "compute", "--seed", "1.5"], "Invalid value for '--seed'"),
    ],
)
def test_a_seed_that_is_not_a_non_negative_integer_is_refused(
    root, tmp_path, capsys, args, fragment
):
    refused(root, tmp_path, capsys, None, args, [fragment])


# ------------------------------------------------------------------------------- 6. as-of


FUTURE = "as-of date 2099-01-01 is in the future"


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (None, ["fit", "compute", "--as-of", "2099-01-01"], ["--as-of: " + FUTURE]),
        (None, ["forecast", "--as-of", "2099-01-01"], ["--as-of: " + FUTURE]),
        (None, ["backtest", "--as-of", "2099-01-01"], ["--as-of: " + FUTURE]),
        (
            None,
            ["stress", "--set", "as_of=2099-01-01"],
            ["--set, column 'scenario.as_of': " + FUTURE],
        ),
        (
            scenario_file('[scenario]\nname = "later"\nas_of = 2099-01-01\n'),
            ["forecast", "--scenario", "{tmp}/s.toml"],
            ["{tmp}/s.toml, column 'scenario.as_of': " + FUTURE],
        ),
        (None, ["forecast", "--as-of", "2024-02-30"], ["--as-of: expected a date YYYY-MM-DD"]),
    ],
)
def test_an_as_of_date_in_the_future_is_refused_by_every_command_alike(
    root, tmp_path, capsys, setup, args, expected
):
    refused(root, tmp_path, capsys, setup, args, expected)


def test_as_of_is_in_the_future_against_datawall_today(root, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DATAWALL_TODAY", "2024-01-01")
    args = ["fit", "compute", "--as-of", "2024-06-30"]
    refused(root, tmp_path, capsys, None, args, ["today is 2024-01-01"])
    monkeypatch.setenv("DATAWALL_TODAY", "soon")
    refused(root, tmp_path, capsys, None, args, ["DATAWALL_TODAY: expected a date"])


# -------------------------------------------------------------------- 7. dates in a table


@pytest.mark.parametrize(
    ("table", "index", "column", "value", "fragment"),
    [
        ("models", 3, "publication_date", "1900-01-01", "earliest, 2010-01-01"),
        ("models", 5, "published", "1900-01-01", "earliest, 1990-01-01"),
        ("accelerators", 2, "release_date", "1900-06-01", "2010-01-01"),
        ("datacenter_capacity", 1, "published", "1900-01-01", "1990-01-01"),
        ("grid_connection", 0, "year", "2099.5", "before the year 2099.5"),
        ("hbm_generations", 1, "published", "2099-01-01", "in the future"),
        ("training_runs_power", 2, "published", "2024-13-01", "valid date"),
    ],
)
def test_a_date_outside_its_table_s_range_is_refused_naming_line_and_column(
    root, tmp_path, capsys, table, index, column, value, fragment
):
    line = line_of(root, table, index)
    named = "published" if column == "year" else column  # a year is checked against published
    refused(
        root,
        tmp_path,
        capsys,
        set_cell(table, index, column, value),
        ["data", "check"],
        [f"data/{table}.csv, line {line}, column '{named}'", fragment],
    )


# ---------------------------------------------------------------------------- 8. quotes


def _quote_opened_at(relative: str, line: int) -> Setup:
    """Open a quote at the start of a line's second cell that is never closed."""

    def setup(root: Path, tmp: Path) -> None:
        path = root / relative if relative.startswith("data") else tmp / relative
        text = (path if path.exists() else EPOCH_EXPORT).read_text(encoding="utf-8")
        lines = text.split("\n")
        lines[line - 1] = lines[line - 1].replace(",", ',"', 1)
        path.write_text("\n".join(lines), encoding="utf-8")

    return setup


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (
            _quote_opened_at("data/grid_connection.csv", 16),
            ["data", "check"],
            ["grid_connection.csv, line 16: malformed CSV in the record that starts here"],
        ),
        (
            _quote_opened_at("data/models.csv", 30),
            ["forecast", "compute"],
            ["models.csv, line 30: malformed CSV in the record that starts here"],
        ),
        (
            _quote_opened_at("export.csv", 5),
            ["data", "import-epoch", "{tmp}/export.csv"],
            ["export.csv, line 5: malformed CSV in the record that starts here"],
        ),
    ],
)
def test_a_quote_error_is_reported_where_the_quoted_field_began(
    root, tmp_path, capsys, setup, args, expected
):
    refused(root, tmp_path, capsys, setup, args, expected)


# ------------------------------------------------------------------------ 9. --set values


@pytest.mark.parametrize(
    ("assignment", "column", "fragment"),
    [
        ("datawall.fit.start_date=2019-13-01", "datawall.fit.start_date", "YYYY-MM-DD"),
        ("datawall.fit.start_date=2019-01-01T00:00:00", "datawall.fit.start_date", "a date"),
        ("datawall.fit.start_date=5", "datawall.fit.start_date", "got 5"),
        ("datawall.fit.start_date=[2019-01-01]", "datawall.fit.start_date", "a date"),
        ("power.lab_share=true", "power.lab_share", "got True"),
        ("power.lab_share=abc", "power.lab_share", "got 'abc'"),
        ("power.lab_share=[0.2]", "power.lab_share", "got [0.2]"),
        ("data.frontier_top_n=1.5", "data.frontier_top_n", "expected int"),
        ("datawall.fit.population=3", "datawall.fit.population", "expected one of"),
        ("cost.fit.include_tpu=yes", "cost.fit.include_tpu", "expected true or false"),
        ("datawall.priors.dataset_slope.kwargs.mu=abc", "dataset_slope", "valid number"),
        ("as_of=yesterday", "scenario.as_of", "expected a date YYYY-MM-DD"),
    ],
)
def test_a_set_value_of_the_wrong_type_is_refused_before_any_work(
    root, tmp_path, capsys, assignment, column, fragment
):
    refused(
        root, tmp_path, capsys, None, ["stress", "--set", assignment], [column, fragment, "--set"]
    )


# ------------------------------------------------------------------ 10. truncated exports


def _cut_inside_row(raw: bytes) -> bytes:
    """End the export mid-way through its last record (a short last record)."""
    text = raw.decode()
    last = text.rstrip("\n").rsplit("\n", 1)
    return (last[0] + "\n" + last[1][: len(last[1]) // 3] + "\n").encode()


def _cut_mid_number(raw: bytes) -> bytes:
    """End the export inside a number of its last record, with no line break."""
    text = raw.decode().rstrip("\n")
    return (text + "\nFixture-Cut,Lab,2024-01-01,Language,,1.23").encode()


def _short_middle_record(raw: bytes) -> bytes:
    lines = raw.decode().split("\n")
    lines.insert(4, "Fixture-Short,Lab,2024-01-01,Language,,7e9")  # before line 5's record
    return "\n".join(lines).encode()


def _long_middle_record(raw: bytes) -> bytes:
    lines = raw.decode().split("\n")
    lines.insert(4, "Fixture-Long,Lab,2024-01-01,Language" + ",x" * 60)
    return "\n".join(lines).encode()


def _open_quote_at_end(raw: bytes) -> bytes:
    return raw + b'Fixture-Open,"Lab,2024-01-01\n'


@pytest.mark.parametrize(
    ("transform", "fragment"),
    [
        (_cut_inside_row, "fields for the header's 47: a truncated export"),
        (_cut_mid_number, "fields for the header's 47: a truncated export"),
        (_short_middle_record, "line 5: 6 fields for the header's 47"),
        (_long_middle_record, "line 5: 64 fields for the header's 47"),
        (_open_quote_at_end, "malformed CSV in the record that starts here"),
    ],
)
@pytest.mark.parametrize("command", ["import-epoch", "compare"])
def test_a_truncated_epoch_export_is_refused_and_nothing_written(
    root, tmp_path, capsys, transform, fragment, command
):
    refused(
        root,
        tmp_path,
        capsys,
        export(transform),
        ["data", command, "{tmp}/export.csv"],
        ["{tmp}/export.csv, line ", fragment],
    )


def test_an_export_ending_inside_its_last_value_is_refused(root, tmp_path, capsys):
    def cut(raw: bytes) -> bytes:  # every field there, the last one cut short: no line break
        record = ",".join(["Fixture-Cut", "Lab", "2024-01-01"] + ["1"] * 44)
        return raw + record[:-1].encode() + b"23"

    refused(
        root,
        tmp_path,
        capsys,
        export(cut),
        ["data", "import-epoch", "{tmp}/export.csv"],
        ["export.csv, line 29: the file ends inside its last record"],
    )


# ------------------------------------------------------------------------- 11. sweep sizes


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--sweep", "power.lab_share=0:1:10000000"],
            ["--sweep: 10,000,001 scenarios are over the limit of 100,000", "--max-scenarios"],
        ),
        (
            [
                "--sweep",
                "power.lab_share=0.1:1:1000",
                "--sweep",
                "walls.low_precision_speedup=1:2:1000",
            ],
            ["1,000,001 scenarios are over the limit"],
        ),
        (
            ["--sweep", "power.lab_share=0.1:1:50000"],
            ["50,001 scenarios x 4,000 draws", "limit of 100,000,000", "--sweep-draws 1999"],
        ),
        (
            ["--sweep", "power.lab_share=0.1:1:100", "--max-scenario-draws", "1000"],
            ["101 scenarios x 4,000 draws", "limit of 1,000", "--max-scenario-draws N"],
        ),
        (["--sweep", "power.lab_share=0.1:1:10", "--sweep-draws", "50"], ["--sweep-draws: 50"]),
        (["--headline", "nosuch"], ["--headline, column 'nosuch': expected MODEL.NAME"]),
    ],
)
def test_a_stress_run_over_its_limits_is_refused_with_the_limit_and_how_to_raise_it(
    root, tmp_path, capsys, args, expected
):
    refused(root, tmp_path, capsys, None, ["stress", *args], expected)


# ------------------------------------------------------------------- 12. scenario contents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('scenario = "x"\n', "column 'scenario': expected a table [scenario]"),
        ('[scenario]\nnmae = "x"\n', "column 'scenario.nmae': unknown key"),
        ("[datawall]\nlevers = 3\n", "column 'datawall.levers': expected a table"),
        ("[datawall.priors]\ndataset_slope = 3\n", "column 'dataset_slope': expected a table"),
        ("[datawall.fit]\nstart_date = 2019-01-01T10:00:00\n", "expected a date YYYY-MM-DD"),
        ("[power.levers]\nlab_share = true\n", "column 'power.lab_share': expected a number"),
        ("[scenario\n", "not valid TOML"),
    ],
)
def test_a_scenario_file_with_a_bad_section_or_value_is_refused(
    root, tmp_path, capsys, text, expected
):
    refused(
        root,
        tmp_path,
        capsys,
        scenario_file(text),
        ["forecast", "--scenario", "{tmp}/s.toml"],
        ["{tmp}/s.toml", expected],
    )


# ------------------------------------------------------- what is still accepted (not refused)


def test_a_utf8_file_with_a_byte_order_mark_is_read(root, tmp_path, capsys):
    for table in ("models", "grid_connection"):
        path = root / "data" / f"{table}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run_cli("data", "check") == 0
    assert "data/models.csv: " in capsys.readouterr().out
    from forecast.scenarios import load_scenario

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + lever_scenario("bom").encode())
    assert load_scenario(str(path)).name == "bom"


def test_good_names_and_targets_are_accepted(root, tmp_path):
    from forecast.paths import check_output_file, check_output_folder
    from forecast.scenarios import load_scenario

    assert load_scenario("baseline").name == "baseline"  # the bundled file may be baseline
    assert load_scenario("grid_delays").name == "grid_delays"
    path = tmp_path / "my-scenario_2.toml"
    path.write_text(lever_scenario(None))  # no name: the file's
    assert load_scenario(str(path)).name == "my-scenario_2"
    assert check_output_file(root / "runs" / "stress" / "baseline.nc")  # a previous result
    assert check_output_file(tmp_path / "new" / "folder" / "x.nc")  # folders made as needed
    assert check_output_folder(root / "reports" / "2026-Q3")  # a previous outlook
    assert check_output_folder(tmp_path / "outside")  # an empty folder
