"""The staged writer: a target is what it was or the whole new version, and no debris stays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from forecast import atomic
from tests.helpers import REPO


class Crash(Exception):
    """Stands for anything failing between stage and swap (a check, a full disk...)."""


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_file_is_replaced_whole(tmp_path):
    path = tmp_path / "runs" / "baseline" / "compute.nc"
    atomic.write_bytes(path, b"first")
    atomic.write_file(path, lambda stage: stage.write_bytes(b"second"))
    assert path.read_bytes() == b"second"
    assert _entries(path.parent) == ["compute.nc"]


def test_a_crash_between_stage_and_swap_leaves_the_old_file(tmp_path):
    path = tmp_path / "compute.nc"
    path.write_bytes(b"the stored run")
    with pytest.raises(Crash), atomic.staged(path) as (stage,):
        stage.write_bytes(b"half a run")
        raise Crash
    assert path.read_bytes() == b"the stored run"
    assert _entries(tmp_path) == ["compute.nc"]


def test_a_folder_is_replaced_whole(tmp_path):
    target = tmp_path / "reports" / "2026-Q4"
    for text in ("old", "new"):
        with atomic.staged(target) as (stage,):
            (stage / "figures").mkdir(parents=True)
            (stage / "summary.json").write_text(text)
    assert (target / "summary.json").read_text() == "new"
    assert _entries(target.parent) == ["2026-Q4"]  # neither the stage nor the old copy


def test_a_crash_between_stage_and_swap_leaves_the_old_folder(tmp_path):
    target = tmp_path / "2026-Q4"
    target.mkdir()
    (target / "summary.json").write_text("old")
    with pytest.raises(Crash), atomic.staged(target) as (stage,):
        stage.mkdir()
        (stage / "summary.json").write_text("new")
        raise Crash
    assert (target / "summary.json").read_text() == "old"
    assert _entries(tmp_path) == ["2026-Q4"]


def test_a_failed_folder_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    target = tmp_path / "2026-Q4"
    target.mkdir()
    (target / "summary.json").write_text("old")
    rename = Path.rename

    def refuse_the_stage(self, other):
        if self.name.endswith(".tmp"):
            raise OSError("no space left")
        return rename(self, other)

    monkeypatch.setattr(Path, "rename", refuse_the_stage)
    with pytest.raises(OSError, match="no space"), atomic.staged(target) as (stage,):
        stage.mkdir()
        (stage / "summary.json").write_text("new")
    assert (target / "summary.json").read_text() == "old"
    assert _entries(tmp_path) == ["2026-Q4"]


def test_several_files_are_swapped_only_once_every_one_is_checked(tmp_path):
    one, two = tmp_path / "models.csv", tmp_path / "training_costs.csv"
    one.write_text("old one")
    two.write_text("old two")
    with pytest.raises(Crash), atomic.staged(one, two) as (stage_one, stage_two):
        stage_one.write_text("new one")
        stage_two.write_text("new two")
        raise Crash  # the check of the second refuses it
    assert (one.read_text(), two.read_text()) == ("old one", "old two")
    with atomic.staged(one, two) as (stage_one, stage_two):
        stage_one.write_text("new one")
        stage_two.write_text("new two")
    assert (one.read_text(), two.read_text()) == ("new one", "new two")
    assert _entries(tmp_path) == ["models.csv", "training_costs.csv"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporaries_of_dead_processes_go_those_of_live_ones_stay(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    stale_file = tmp_path / f".compute.nc.{dead}.tmp"
    stale_folder = tmp_path / f".2026-Q4.{dead}.old"
    live = tmp_path / f".compute.nc.{alive}.tmp"
    other = tmp_path / f".power.nc.{dead}.tmp"
    for path in (stale_file, live, other):
        path.write_bytes(b"x")
    stale_folder.mkdir()
    assert set(atomic.remove_stale_temporaries(tmp_path, ["compute.nc", "2026-Q4"])) == {
        stale_file,
        stale_folder,
    }
    assert live.exists() and other.exists()
    atomic.write_bytes(tmp_path / "power.nc", b"run")  # a write removes its own target's debris
    assert not other.exists()


STAGE_A_FOLDER_AND_HANG = """
import sys, time
from pathlib import Path
from forecast import atomic
with atomic.staged(Path(sys.argv[1])) as (stage,):
    stage.mkdir()
    (stage / "summary.json").write_text("half a report")
    print("staged", flush=True)
    time.sleep(60)
"""


def test_a_folder_write_killed_before_the_swap_leaves_the_old_folder(tmp_path):
    target = tmp_path / "reports" / "2026-Q4"
    target.mkdir(parents=True)
    (target / "summary.json").write_text("old")
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(STAGE_A_FOLDER_AND_HANG), str(target)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline().strip() == "staged"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    debris = target.parent / f".2026-Q4.{writer.pid}.tmp"
    assert debris.is_dir() and (target / "summary.json").read_text() == "old"
    with atomic.staged(target) as (stage,):
        stage.mkdir()
        (stage / "summary.json").write_text("new")
    assert not debris.exists() and (target / "summary.json").read_text() == "new"
