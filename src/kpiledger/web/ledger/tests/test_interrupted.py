"""A kill at any moment leaves a ledger that opens, passes SQLite's integrity check and is either
untouched or complete; setup and imports are safe to re-run, and two processes starting on a
fresh data directory at once do not trip over each other."""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from kpiledger.web import datadir
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests import processes as p

RUNS = int(os.environ.get("KPILEDGER_KILL_RUNS", "10"))
REFERENCE_ROWS = {"batches": 1, "kpis": 24, "observations": 120, "reported": 24}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    (folder / "r5.txt").write_text(f.REFERENCE_TEXT, encoding="utf-8")
    (folder / "r6.txt").write_text(f.next_year_text() + extra_projects(300), encoding="utf-8")
    return folder


def extra_projects(count: int) -> str:
    """New related projects (one KPI each), so that the FY2024 import writes for a while."""
    return "".join(
        f"【地方創生推進交付金】 追加事業{i}\t概要{i}\t指標{i}\t10\t件\tR8.3\t-\t-\t-\t1\t2\t3\n"
        for i in range(count)
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory, files):
    """A ledger with the reference imported, and how long that first run took."""
    directory = tmp_path_factory.mktemp("template")
    started = time.monotonic()
    done = p.run(directory, "import", str(files / "r5.txt"), "--org", "012068")
    assert done.returncode == 0, done.stderr
    return directory, time.monotonic() - started


def counts(ledger) -> dict[str, int]:
    def one(sql: str) -> int:
        return p.query(ledger, sql)[0][0]

    return {
        "batches": one("SELECT count(*) FROM ledger_importbatch WHERE status = 'applied'"),
        "kpis": one("SELECT count(*) FROM ledger_kpi"),
        "observations": one("SELECT count(*) FROM ledger_observation"),
        "reported": one("SELECT count(*) FROM ledger_reportedkpi"),
    }


def killed(ledger, delay: float, *args: str) -> None:
    process = p.start(ledger, *args)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)


def migrations(ledger) -> int:
    return p.query(ledger, "SELECT count(*) FROM django_migrations")[0][0]


def test_a_first_setup_killed_anywhere_leaves_no_ledger_or_a_complete_one(
    template, files, tmp_path
):
    reference, duration = template
    complete_migrations = migrations(reference)
    outcomes = {"untouched": 0, "complete": 0}
    for run in range(RUNS):
        ledger = tmp_path / f"run{run}"
        delay = random.uniform(0.05, duration)
        killed(ledger, delay, "import", str(files / "r5.txt"), "--org", "012068")
        if not (ledger / p.LEDGER).exists():
            outcomes["untouched"] += 1
        else:
            assert p.integrity(ledger) == "ok"
            assert migrations(ledger) == complete_migrations  # never half-migrated
            assert counts(ledger) in ({k: 0 for k in REFERENCE_ROWS}, REFERENCE_ROWS)
            outcomes["complete"] += 1
        again = p.run(ledger, "import", str(files / "r5.txt"), "--org", "012068")
        assert again.returncode == 0, again.stderr
        assert counts(ledger) == REFERENCE_ROWS and p.integrity(ledger) == "ok"
    print(f"setup kills: {outcomes}")


def test_an_import_killed_anywhere_is_all_or_nothing(template, files, tmp_path):
    reference, _ = template
    timing = tmp_path / "timing"
    shutil.copytree(reference, timing)
    started = time.monotonic()
    assert p.run(timing, "import", str(files / "r6.txt"), "--org", "012068").returncode == 0
    duration = time.monotonic() - started
    outcomes = {"untouched": 0, "complete": 0}
    done = None
    for run in range(RUNS):
        ledger = tmp_path / f"run{run}"
        shutil.copytree(reference, ledger)
        delay = random.uniform(0.05, duration)
        killed(ledger, delay, "import", str(files / "r6.txt"), "--org", "012068")
        assert p.integrity(ledger) == "ok"
        now = counts(ledger)
        if now == REFERENCE_ROWS:
            outcomes["untouched"] += 1
        else:
            assert now["batches"] == 2 and (done is None or now == done)
            outcomes["complete"] += 1
        again = p.run(ledger, "import", str(files / "r6.txt"), "--org", "012068")
        assert again.returncode == 0, again.stderr
        done = done or counts(ledger)
        assert counts(ledger) == done and done["batches"] == 2
    print(f"import kills: {outcomes}")


def test_two_processes_on_a_fresh_data_directory(files, tmp_path):
    first, second = (
        p.start(tmp_path, "import", str(files / "r5.txt"), "--org", "012068") for _ in range(2)
    )
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    for process, (_, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
    assert counts(tmp_path) == REFERENCE_ROWS  # one applied it, the other found it imported
    assert sum("取込済み" in out for out, _ in outputs) == 1


def test_the_data_directory_and_its_files_are_private(files, tmp_path, monkeypatch):
    ledger = tmp_path / "data"
    old_umask = os.umask(0o022)
    try:
        env_key = {"KPILEDGER_SECRET_KEY": "a-key-from-the-environment"}
        monkeypatch.setattr(p, "environment", lambda d: {**_env(d), **env_key})
        done = p.run(ledger, "import", str(files / "r5.txt"), "--org", "012068")
    finally:
        os.umask(old_umask)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o700
    for path in ledger.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert not (ledger / "secret_key").exists()  # the key came from the environment


_env = p.environment


def test_an_existing_ledger_made_world_readable_is_narrowed(template, files, tmp_path):
    ledger = tmp_path / "data"
    shutil.copytree(template[0], ledger)
    os.chmod(ledger / p.LEDGER, 0o644)
    assert p.run(ledger, "import", str(files / "r5.txt"), "--org", "012068").returncode == 0
    assert stat.S_IMODE((ledger / p.LEDGER).stat().st_mode) == 0o600


def test_an_empty_secret_key_file_is_made_anew(tmp_path, capsys):
    (tmp_path / "secret_key").write_text("")
    key = datadir.secret_key(tmp_path)
    assert len(key) > 40 and (tmp_path / "secret_key").read_text() == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert "秘密鍵" in capsys.readouterr().err
    assert datadir.secret_key(tmp_path) == key  # kept from then on


def test_processes_creating_the_secret_key_at_once_share_one(tmp_path):
    with ProcessPoolExecutor(6) as pool:
        keys = set(pool.map(datadir.secret_key, [tmp_path / "fresh"] * 24))
    assert len(keys) == 1 and next(iter(keys))
