import datetime as dt
from pathlib import Path

import pytest

from forecast.data import TABLES, decimal_year, load_table, read_rows
from forecast.errors import InputError

from .conftest import REPO, run_cli

SPEC = TABLES["language_models"]
HEADER = ",".join(SPEC.columns)
GOOD = "Model A,Org,2024-03-01,7e9,7e9,2e12,8.4e22,false,true,,https://example.org/a,"


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "language_models.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_bundled_table_is_valid_and_large_enough():
    rows = read_rows(REPO / "data" / "language_models.csv", SPEC)
    assert len(rows) >= 60
    years = {r.publication_date.year for _, r in rows}
    assert {2018, 2026} <= years
    assert all(r.source for _, r in rows)
    assert sum(r.frontier for _, r in rows) >= 15


def test_good_row_loads(tmp_path):
    rows = read_rows(write(tmp_path, GOOD), SPEC)
    assert rows[0][0] == 2 and rows[0][1].training_tokens == 2e12


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (GOOD.replace("7e9,7e9", "seven,7e9"), "parameters", "valid number"),
        (GOOD.replace("2e12", "-2e12"), "training_tokens", "greater than or equal"),
        (GOOD.replace("2024-03-01", "2024-13-01"), "publication_date", "date"),
        (GOOD.replace(",false,", ",maybe,"), "frontier", "'true' or 'false'"),
        (GOOD.replace("https://example.org/a", ""), "source", "required value is blank"),
        (GOOD.replace("8.4e22", "8.4e25"), "training_compute_flop", "6*N*D"),
        (GOOD.replace("7e9,7e9", "7e9,9e9"), "active_parameters", "exceeds total"),
        (GOOD.replace(",,https", ",tokens,https"), "estimated_fields", "unknown column"),
    ],
)
def test_bad_value_names_file_line_and_column(tmp_path, row, column, fragment):
    path = write(tmp_path, GOOD.replace("Model A", "Model B"), row)
    with pytest.raises(InputError) as info:
        read_rows(path, SPEC)
    err = info.value
    assert err.path == str(path) and err.row == 3 and err.column == column
    assert fragment in str(err)


def test_future_date_and_duplicate_are_refused(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(InputError, match="in the future"):
        read_rows(path, SPEC, today=dt.date(2024, 1, 1))
    with pytest.raises(InputError, match="duplicate model 'Model A' \\(first on line 2\\)"):
        read_rows(write(tmp_path, GOOD, GOOD), SPEC)


def test_header_and_shape_errors(tmp_path):
    with pytest.raises(InputError, match="missing column"):
        read_rows(write(tmp_path, GOOD, header=HEADER.replace("notes", "note")), SPEC)
    with pytest.raises(InputError, match="more fields"):
        read_rows(write(tmp_path, GOOD + ",extra"), SPEC)
    with pytest.raises(InputError, match="file not found"):
        read_rows(tmp_path / "absent.csv", SPEC)


def test_as_of_filter(project):
    full = load_table("language_models")
    cut = load_table("language_models", as_of=dt.date(2023, 1, 1))
    assert 0 < len(cut) < len(full)
    assert cut["publication_date"].max() <= dt.datetime(2023, 1, 1)


def test_decimal_year():
    years = decimal_year([dt.date(2024, 1, 1), dt.date(2024, 7, 2), dt.date(2023, 12, 31)])
    assert years[0] == 2024.0
    assert abs(years[1] - 2024.5) < 0.003
    assert 2023.99 < years[2] < 2024.0


def test_cli_exits_2_on_bad_row_and_writes_nothing(project, capsys):
    path = project / "data" / "language_models.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace(",true,", ",yes,", 1).replace(",false,", ",yes,", 1)
    path.write_text("\n".join(lines) + "\n")
    assert run_cli("forecast", "datawall") == 2
    message = capsys.readouterr().err
    assert "language_models.csv" in message and "line 6" in message
    assert not (project / "runs").exists()


def test_cli_data_check_passes_on_bundled_inputs(project):
    assert run_cli("data", "check") == 0


def test_cli_usage_errors_exit_2(project, capsys):
    assert run_cli("fit", "datawall", "--draws", "5") == 2
    assert run_cli("forecast", "nosuch") == 2
    assert run_cli("forecast", "datawall", "--as-of", "2024-13-01") == 2
    assert run_cli("forecast", "datawall", "--scenario", "nope") == 2
    err = capsys.readouterr().err
    assert "--draws" in err and "unknown model 'nosuch'" in err and "scenario not found" in err
    assert not (project / "runs").exists()
