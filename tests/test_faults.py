"""Faults and concurrent use: locks, what a killed process leaves, sampler workers, names.

Each case runs in seconds: the writers are stand-ins (a lock held by a child process, a write
killed mid-way), never real fits.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import filelock
import pytest
import xarray as xr

from forecast import atomic, locks, paths, store
from forecast import fit as fitting
from forecast.report import outlook, render
from forecast.report.quarter import Quarter
from tests.helpers import REPO, SMALL

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    """Start ``code`` in a child Python (this checkout's forecast), its output piped."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )


def _dead_pid() -> int:
    """Return the id of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _gone(pid: int) -> bool:
    """Return whether a process has ended (exited, or a zombie no one reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


HOLD = """
import sys, time
from pathlib import Path
from forecast import locks
with locks.holding(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(folder: Path, seconds: float) -> subprocess.Popen[str]:
    holder = _python(HOLD, str(folder), str(seconds))
    assert holder.stdout.readline().strip() == "held"
    return holder


# ------------------------------------------------------------------------------------- locks


def test_a_second_writer_of_a_folder_waits_and_says_so(tmp_path):
    folder = tmp_path / "runs" / "baseline"
    holder = _hold(folder, 1.5)
    said: list[str] = []
    with locks.holding(folder, say=said.append) as waited:  # once the first one is done
        pass
    holder.wait()
    assert waited >= 1.0
    assert "being written by another datawall command: waiting" in said[0]
    assert said[1].startswith("waited ") and str(folder) in said[1]
    with locks.holding(folder, say=said.append) as waited:  # free now: no word, no wait
        assert waited == 0.0
    assert len(said) == 2


@pytest.mark.slow
def test_fits_into_one_folder_hold_its_lock(project, monkeypatch):
    plan = types.SimpleNamespace(scenario=types.SimpleNamespace(name="baseline"))
    lock_file = locks.lock_path(store.run_path("compute").parent)
    seen = {}

    def reuse(fit_plan, path, runs):
        probe = _python(
            """
            import sys, filelock
            try:
                filelock.FileLock(sys.argv[1]).acquire(blocking=False)
                print("free")
            except filelock.Timeout:
                print("held")
            """,
            str(lock_file),
        )
        seen["lock"] = probe.communicate()[0].strip()
        return xr.DataTree(), "reused"

    monkeypatch.setattr(fitting, "_reuse", reuse)
    fitting.ensure_runs({"compute": plan})
    assert seen["lock"] == "held"
    filelock.FileLock(lock_file).acquire(blocking=False)  # released when the fits are done


@pytest.mark.slow
def test_a_second_outlook_into_one_folder_waits_and_says_so(project, monkeypatch, caplog):
    monkeypatch.setenv("DATAWALL_TODAY", "2026-11-23")
    written = []

    def write(quarter, target, data_cut, scenarios, **kwargs):
        written.append(time.monotonic())
        return render.write_report({"summary.json": b"{}\n"}, target)

    monkeypatch.setattr(outlook, "_write_outlook", write)
    target = project / "reports" / "2026-Q4"
    holder = _hold(target, 1.5)
    with caplog.at_level("WARNING", logger="forecast.locks"):
        folder = outlook.build_outlook(Quarter(2026, 4))
    holder.wait()
    assert folder == target and (target / "summary.json").is_file()
    assert "waiting for it to finish" in caplog.text and "waited " in caplog.text


# ------------------------------------------------------------------------- killed writers


WRITE_AND_HANG = """
import sys, time
from pathlib import Path
from forecast import atomic

def write(target):
    Path(target).write_bytes(b"half a file")
    print("writing", flush=True)
    time.sleep(60)

atomic.write_file(Path(sys.argv[1]), write)
"""


def test_a_write_killed_midway_leaves_a_temporary_the_next_write_removes(tmp_path):
    path = tmp_path / "runs" / "baseline" / "datawall.nc"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"the stored run")
    writer = _python(WRITE_AND_HANG, str(path))
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    debris = path.with_name(f".datawall.nc.{writer.pid}.tmp")
    assert debris.is_file() and path.read_bytes() == b"the stored run"  # nothing lost
    atomic.write_bytes(path, b"a new run")
    assert not debris.exists() and path.read_bytes() == b"a new run"


def test_the_lock_holder_removes_what_dead_writers_left_in_its_folder(tmp_path):
    folder = tmp_path / "runs" / "baseline"
    folder.mkdir(parents=True)
    dead, alive = _dead_pid(), os.getppid()
    stale = folder / f".datawall.nc.{dead}.tmp"
    live = folder / f".datawall.nc.{alive}.tmp"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    with locks.holding(folder):
        assert not stale.exists()
        assert live.exists()  # a running process may still rename it into place


def test_an_outlook_removes_the_staging_folders_of_dead_writers(tmp_path):
    reports = tmp_path / "reports"
    dead = _dead_pid()
    staging = reports / f".2026-Q4.{dead}.tmp"
    (staging / "figures").mkdir(parents=True)
    retired = reports / f".2026-Q4.{dead}.old"
    retired.mkdir()
    other = reports / f".2026-Q3.{os.getppid()}.tmp"  # another quarter, a live writer
    other.mkdir()
    render.write_report({"summary.json": b"{}\n"}, reports / "2026-Q4")
    assert not staging.exists() and not retired.exists() and other.exists()
    assert sorted(p.name for p in reports.iterdir()) == [
        ".2026-Q3." + f"{os.getppid()}.tmp",
        "2026-Q4",
    ]


# --------------------------------------------------------------------------- sampler workers


SAMPLER_PARENT = """
import sys, time
from forecast.children import orphan_safe_context
if __name__ == "__main__":
    child = orphan_safe_context(sys.argv[1]).Process(target=time.sleep, args=(60,), daemon=True)
    child.start()
    print(child.pid, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_sampler_workers_end_with_their_parent(method):
    parent = _python(SAMPLER_PARENT, method)
    child = int(parent.stdout.readline())
    assert not _gone(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not _gone(child):
        os.kill(child, signal.SIGKILL)
        pytest.fail(f"the {method} worker outlived its parent")


def test_fits_sample_in_workers_that_end_with_their_parent(monkeypatch):
    import pymc as pm

    from forecast.children import orphan_safe_context

    seen = {}

    def sample(**kwargs):
        seen.update(kwargs)
        return "draws"

    monkeypatch.setattr(fitting.pm, "sample", sample)
    spec = types.SimpleNamespace(build=lambda inputs, priors: pm.Model())
    plan = types.SimpleNamespace(spec=spec, inputs=None, priors=None, sampler=SMALL)
    assert fitting.sample(plan)[0] == "draws"
    assert seen["mp_ctx"] is orphan_safe_context()
    assert seen["mp_ctx"].get_start_method() == __import__("multiprocessing").get_start_method()


# --------------------------------------------------------------------- concurrent stress runs


def test_two_different_stress_requests_never_share_a_file():
    from forecast.stress import result_name

    names = {
        result_name([], [], []),
        result_name(["grid_delays"], [], []),
        result_name(["grid_delays", "small_stock"], [], []),
        result_name([], ["power.lab_share=0.2"], []),
        result_name([], ["power.lab_share=0.3"], []),
        result_name([], [], ["power.lab_share=0.1:0.3:3"]),
        result_name([], [], ["power.lab_share=0.1:0.3:3"], draws=100),
        result_name([], [], [], sensitivity=True),
        result_name(["/a/x.toml"], [], []),
        result_name(["/b/x.toml"], [], []),
    }
    assert len(names) == 10
    assert result_name([], [], []) == "baseline.nc"
    assert result_name(["grid_delays"], [], []) == "grid_delays.nc"
    assert result_name([], [], [], sensitivity=True) == "sensitivity.nc"
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_a_stress_result_file_is_written_whole_or_not_at_all(tmp_path):
    path = tmp_path / "runs" / "stress" / "baseline.nc"
    store.save_dataset(xr.Dataset({"x": ("scenario", [1.0, 2.0])}), path)
    assert xr.load_dataset(path)["x"].values.tolist() == [1.0, 2.0]
    assert [p.name for p in path.parent.iterdir()] == ["baseline.nc"]
    assert paths.check_output_file(path) == path  # a previous result may be replaced


# ---------------------------------------------------------------------- names in the output


def test_markup_in_names_is_printed_as_it_is(capsys):
    from forecast import cli

    entry = {"scenario": "[/]x[bold]y", "refit": True, "diagnostics_passed": False, "headline": {}}
    cli._print_stress({"scenarios": [entry], "total": 1, "draws": 10}, [])
    cli._print_stress({"scenarios": [entry] * 7, "total": 7, "draws": 10}, [])
    run = {"scenario": "[/]s", "draws": 10, "latest_row_date": ""}
    diagnostics = {"passed": True, "rhat_max": 1.0, "ess_bulk_min": 400, "divergences": 0}
    cli._print_summary("datawall", {"headline": {}, "run": run, "diagnostics": diagnostics})
    printed = capsys.readouterr().out
    assert printed.count("[/]x[bold]y") == 8 and "(scenario [/]s)" in printed


def test_a_scenario_named_with_slashes_by_its_overrides_is_stored_inside_runs(project):
    runs = store.run_path("walls").parents[1]
    for name in ("../../x", "a/b", "baseline[x.priors.p.source=../../y]", "z" * 300, ""):
        folder = store.run_path("walls", name).parent
        assert folder.parent == runs and folder.name not in ("", ".", "..")
        assert len(folder.name) <= paths.FOLDER_MAX
    assert store.run_path("walls", "grid_delays[power.lab_share=0.2]").parent.name == (
        "grid_delays[power.lab_share=0.2]"
    )


def test_a_bare_date_for_a_date_option_is_accepted_and_stored_as_text(project, tmp_path):
    from forecast.scenarios import load_scenario
    from forecast.stress import build_scenarios

    for value in ("2019-01-01", '"2019-01-01"'):
        scenarios = build_scenarios(sets=[f"datawall.fit.start_date={value}"])
        fit = scenarios.scenarios[-1].for_model("datawall").fit
        assert fit == {"start_date": "2019-01-01"}
        store.config_id("datawall", {"options": fit})  # JSON: no date object left
    path = tmp_path / "later.toml"
    path.write_text('[scenario]\nname = "later"\n[datawall.fit]\nstart_date = 2019-01-01\n')
    assert load_scenario(str(path)).for_model("datawall").fit == {"start_date": "2019-01-01"}
    assert json.dumps(load_scenario(str(path)).for_model("datawall").fit)
