import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.data import TABLES, check_all, decimal_year, load_table, load_tables, read_rows
from forecast.errors import InputError
from forecast.tables.models import FrontierRule, frontier_flags
from tests.helpers import REPO, run_cli

SPEC = TABLES["models"]
HEADER = ",".join(SPEC.columns)
# model,organization,domain,publication_date,published,parameters,active_parameters,
# dataset_tokens,tokens_seen,training_compute_flop,open_weights,estimated_fields,
# frontier_exclusion,source,notes
GOOD = (
    "Model A,Org,language,2024-03-01,2024-03-01,7e9,7e9,1e12,2e12,8.4e22,true,,,"
    "https://example.org/a,"
)


def write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "models.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_bundled_tables_are_valid_and_large_enough():
    counts = check_all(REPO / "data")
    assert set(counts) == set(TABLES)
    rows = read_rows(REPO / "data" / "models.csv", SPEC)
    assert len(rows) >= 120
    years = {r.publication_date.year for _, r in rows}
    assert {2018, 2026} <= years
    assert all(r.source and r.published >= r.publication_date for _, r in rows)
    frontier = load_table("models", directory=REPO / "data")["frontier"]
    assert frontier.sum() >= 20


def test_good_row_loads(tmp_path):
    rows = read_rows(write(tmp_path, GOOD), SPEC)
    assert rows[0][0] == 2
    assert (rows[0][1].dataset_tokens, rows[0][1].tokens_seen) == (1e12, 2e12)


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (GOOD.replace("7e9,7e9", "seven,7e9"), "parameters", "valid number"),
        (GOOD.replace("1e12,2e12", "-1e12,2e12"), "dataset_tokens", "greater than or equal"),
        (GOOD.replace("1e12,2e12", "1e12,2e15"), "tokens_seen", "epochs"),
        (
            GOOD.replace("2024-03-01,2024-03-01", "2024-13-01,2024-03-01"),
            "publication_date",
            "date",
        ),
        (GOOD.replace("2024-03-01,2024-03-01", "2024-03-01,2024-02-01"), "published", "before"),
        (
            GOOD.replace("2024-03-01,2024-03-01", "1900-03-01,2024-03-01"),
            "publication_date",
            "2010",
        ),
        (GOOD.replace(",language,", ",poetry,"), "domain", "language"),
        (GOOD.replace(",true,", ",maybe,"), "open_weights", "'true' or 'false'"),
        (GOOD.replace("https://example.org/a", ""), "source", "required value is blank"),
        (GOOD.replace("8.4e22", "8.4e25"), "training_compute_flop", "6*N*D"),
        (GOOD.replace("7e9,7e9", "7e9,9e9"), "active_parameters", "exceeds total"),
        (GOOD.replace(",,,https", ",tokens,,https"), "estimated_fields", "unknown column"),
        (GOOD.replace(",,,https", ",,x,https"), "frontier_exclusion", "reason"),
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


def test_a_row_without_a_publication_date_is_refused(tmp_path):
    path = write(tmp_path, GOOD.replace("2024-03-01,2024-03-01", "2024-03-01,"))
    with pytest.raises(InputError) as info:
        read_rows(path, SPEC)
    assert info.value.column == "published" and "blank" in str(info.value)


# ---------------------------------------------------------------------------- the frontier rule


def _models(rows: list[tuple[str, str, float | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": [r[0] for r in rows],
            "publication_date": pd.to_datetime([r[1] for r in rows]),
            "training_compute_flop": [np.nan if r[2] is None else r[2] for r in rows],
            "domain": [r[3] for r in rows],
            "frontier_exclusion": [None] * len(rows),
        }
    )


def test_frontier_rule_on_a_table_with_a_known_answer():
    table = _models(
        [
            ("a", "2020-01-01", 1e20, "language"),  # first: top 2
            ("b", "2020-02-01", 1e19, "language"),  # second: top 2
            ("c", "2020-03-01", 1e18, "language"),  # a and b above: not top 2
            ("d", "2020-03-01", 5e20, "language"),  # the largest so far
            ("e", "2020-04-01", 2e20, "language"),  # only d above: top 2
            ("f", "2020-05-01", 1e21, "vision"),  # not a language model
            ("g", "2020-05-01", 1e20, "language"),  # d and e above (f is vision): not top 2
            ("h", "2020-06-01", None, "language"),  # no compute: never ranked
        ]
    )
    flags = frontier_flags(table, top_n=2)
    assert dict(zip(table["model"], flags, strict=True)) == {
        "a": True,
        "b": True,
        "c": False,
        "d": True,
        "e": True,
        "f": False,
        "g": False,
        "h": False,
    }
    # Across every domain f counts: g now has d, e and f above it.
    every = dict(zip(table["model"], frontier_flags(table, top_n=2, scope="all"), strict=True))
    assert every["f"] and not every["g"] and every["e"]  # e came before f
    # An excluded model is neither frontier nor in anyone's way.
    table.loc[table["model"] == "d", "frontier_exclusion"] = "a fine-tune of another run"
    flags = dict(zip(table["model"], frontier_flags(table, top_n=2), strict=True))
    assert not flags["d"] and flags["g"]
    with pytest.raises(ValueError, match="top_n"):
        frontier_flags(table, top_n=0)


def test_frontier_rule_reaches_every_table_and_its_n_is_a_scenario_option(project):
    ten = load_tables(["training_costs", "training_runs_power"])
    three = load_tables(["training_costs", "training_runs_power"], frontier=FrontierRule(top_n=3))
    for name in ("models", "training_costs", "training_runs_power"):
        assert three[name]["frontier"].sum() < ten[name]["frontier"].sum()
    # A cost row's flag is its model's.
    models = ten["models"].set_index("model")["frontier"]
    costs = ten["training_costs"]
    assert (costs["frontier"].to_numpy() == models.loc[costs["model"]].to_numpy()).all()


# ---------------------------------------------------------------------------- references and cuts


def test_a_cost_row_with_an_unknown_model_is_refused(project, capsys):
    path = project / "data" / "training_costs.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[3, "model"] = "No Such Model"
    frame.to_csv(path, index=False)
    assert run_cli("data", "check") == 2
    err = capsys.readouterr().err
    assert "training_costs.csv, line 5, column 'model'" in err and "No Such Model" in err


def test_a_row_published_after_the_cut_is_excluded_from_every_table(project):
    cut = dt.date(2023, 1, 1)
    whole = load_tables(list(TABLES))
    tables = load_tables(list(TABLES), as_of=cut)
    for name, frame in tables.items():
        assert len(frame) == (whole[name]["published"] <= pd.Timestamp(cut)).sum() or name in (
            "training_costs",
            "training_runs_power",  # also dropped: rows whose model was published later
        )
        assert frame.empty or frame["published"].max() <= pd.Timestamp(cut), name
    # A cost row published before the cut whose model's figures were published after it goes too.
    models = pd.read_csv(project / "data" / "models.csv", dtype=str, keep_default_na=False)
    costs = pd.read_csv(project / "data" / "training_costs.csv", dtype=str, keep_default_na=False)
    early = costs["published"] < "2022-01-01"
    name = costs.loc[early, "model"].iloc[0]
    models.loc[models["model"] == name, "published"] = "2024-06-01"
    models.to_csv(project / "data" / "models.csv", index=False)
    cut_costs = load_table("training_costs", as_of=cut)
    assert name not in set(cut_costs["model"])
    assert name in set(load_table("training_costs")["model"])


def test_the_two_token_columns_are_read_by_the_right_models(project):
    from forecast.models import datawall, scaling

    tables = load_tables(["models", "chinchilla_runs"])
    models = tables["models"]
    wall = datawall.select(tables, datawall.MODEL.fit_options)
    rows = wall.rows.set_index("model")
    assert np.allclose(10 ** wall.arrays["dataset_log10"], rows["dataset_tokens"].to_numpy(float))
    law = scaling.select(tables, scaling.MODEL.fit_options)
    releases = law.extra_rows["releases"]
    expected = np.log10(releases["tokens_seen"] / releases["active_parameters"]).to_numpy(float)
    assert np.allclose(law.arrays["release_log10_tokens_per_param"], expected)
    # A model whose two counts differ (many epochs) is read differently by the two.
    many = models[(models["tokens_seen"] > 2 * models["dataset_tokens"])]
    assert len(many) >= 1


def test_decimal_year():
    years = decimal_year([dt.date(2024, 1, 1), dt.date(2024, 7, 2), dt.date(2023, 12, 31)])
    assert years[0] == 2024.0
    assert abs(years[1] - 2024.5) < 0.003
    assert 2023.99 < years[2] < 2024.0


def test_cli_exits_2_on_bad_row_and_writes_nothing(project, capsys):
    path = project / "data" / "models.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace(",true,", ",yes,", 1).replace(",false,", ",yes,", 1)
    path.write_text("\n".join(lines) + "\n")
    assert run_cli("forecast", "datawall") == 2
    message = capsys.readouterr().err
    assert "models.csv" in message and "line 6" in message
    assert not (project / "runs").exists()


def test_cli_data_check_passes_on_bundled_inputs_and_refuses_a_missing_table(project, capsys):
    assert run_cli("data", "check") == 0
    (project / "data" / "grid_connection.csv").unlink()
    assert run_cli("data", "check") == 2
    assert "grid_connection.csv: file not found" in capsys.readouterr().err


def test_cli_usage_errors_exit_2(project, capsys):
    assert run_cli("fit", "datawall", "--draws", "5") == 2
    assert run_cli("forecast", "nosuch") == 2
    assert run_cli("forecast", "datawall", "--as-of", "2024-13-01") == 2
    assert run_cli("forecast", "datawall", "--scenario", "nope") == 2
    err = capsys.readouterr().err
    assert "--draws" in err and "unknown model 'nosuch'" in err and "scenario not found" in err
    assert not (project / "runs").exists()
