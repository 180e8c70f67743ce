"""`kpiledger import DIR` / several files: organizations from names or a manifest, one progress
bar, one summary, exit status 2 when a file failed (the others still imported)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpiledger.cli import import_many
from kpiledger.cli.main import main
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests import processes


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write(path: Path, name: str = "釧路市") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f.REFERENCE_TEXT.replace("釧路市", name), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path / "r5" / "012068_r5.txt")
    write(tmp_path / "r5" / "札幌" / "011002-令和5年度.txt", "札幌市")
    (tmp_path / "r5" / "memo.md").write_text("# not a report", encoding="utf-8")
    return tmp_path / "r5"


@pytest.mark.django_db(transaction=True)
def test_a_folder_is_imported_with_codes_from_the_names(capsys, folder):
    status, out, err = run(capsys, "import", str(folder))
    assert status == 0, err
    assert "取込結果 / summary: 2 ファイル / files" in out
    assert "  取り込み / imported: 2" in out
    assert "  変更なし / unchanged: 0" in out
    assert "  失敗 / failed: 0" in out
    assert "  KPI: 48（書き込み / written）" in out
    assert "  時間 / time: " in out and "files/s" in out
    assert err == ""
    assert sorted(m.Organization.objects.values_list("code", "name")) == [
        ("011002", "札幌市"),
        ("012068", "釧路市"),
    ]
    status, out, _ = run(capsys, "import", str(folder))
    assert status == 0 and "  変更なし / unchanged: 2" in out and "  KPI: 0" in out


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_is_named_with_its_reason_and_the_others_go_in(capsys, folder):
    bad = folder / "012025_r5.txt"
    bad.write_text(f.REFERENCE_TEXT.replace("\t73.5\n", "\t7,3.5\n"), encoding="utf-8")
    nameless = write(folder / "hakodate.txt", "函館市")
    status, out, err = run(capsys, "import", str(folder))
    assert status == 2
    assert "  取り込み / imported: 2" in out and "  失敗 / failed: 2" in out
    assert "失敗したファイルは何も書き込んでいません" in out
    assert f"失敗 / failed: {bad}" in err
    assert "[bad-number] 33行目 11列目 「R5年度」" in err
    assert "line 33, column 11 (R5年度)" in err
    assert f"失敗 / failed: {nameless}" in err and "[no-org-code]" in err
    assert "start its name with the 6-digit code" in err
    assert not m.Organization.objects.filter(code="012025").exists()
    assert m.ImportBatch.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_organizations_from_a_shift_jis_manifest(capsys, tmp_path):
    write(tmp_path / "data" / "kushiro.txt")
    write(tmp_path / "data" / "shikotan.txt", "色丹村")  # not in the table: named in the manifest
    manifest = tmp_path / "data" / "団体一覧.csv"
    manifest.write_bytes(
        "ファイル,団体コード,団体名\nkushiro.txt,012068,\nshikotan.txt,016951,色丹村\n".encode(
            "cp932"
        )
    )
    status, out, err = run(capsys, "import", str(tmp_path / "data"), "--manifest", str(manifest))
    assert status == 0, err
    assert "取込結果 / summary: 2 ファイル / files" in out  # the manifest itself is skipped
    assert sorted(m.Organization.objects.values_list("code", "name")) == [
        ("012068", "釧路市"),
        ("016951", "色丹村"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_bad_manifest_stops_before_anything_is_written(capsys, folder):
    manifest = folder / "list.csv"
    manifest.write_text("file,code\n012068_r5.txt,012067\n", encoding="utf-8")
    status, _, err = run(capsys, "import", str(folder), "--manifest", str(manifest))
    assert status == 2
    assert "[bad-org-code] 2行目 2列目 「code」: list.csv" in err
    assert m.Organization.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_one_file_named_by_its_code_is_imported_as_one_file_always_was(capsys, folder):
    status, out, err = run(capsys, "import", str(folder / "012068_r5.txt"))
    assert status == 0, err
    assert "釧路市（012068） ← 012068_r5.txt  R5年度（2023年度）" in out
    assert "取り込みました" in out and "summary" not in out
    assert m.Observation.objects.count() == 120


@pytest.mark.django_db(transaction=True)
def test_one_file_without_a_code_says_how_to_give_one(capsys, tmp_path):
    path = write(tmp_path / "kushiro.txt")
    status, _, err = run(capsys, "import", str(path))
    assert status == 2
    assert "[no-org-code]" in err and "kushiro.txt" in err and "--org" in err
    assert m.Organization.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_options_for_one_file_only_are_refused_with_many(capsys, folder):
    status, _, err = run(capsys, "import", str(folder), "--direction", "移住者数=decrease")
    assert status == 2
    assert "[one-file-only]" in err and "--direction works with one file only" in err
    assert m.Organization.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_progress_bar_on_a_terminal(capsys, folder, monkeypatch):
    monkeypatch.setattr(import_many, "_is_terminal", lambda stream: True)
    status, out, err = run(capsys, "import", str(folder), "--workers", "2")
    assert status == 0
    assert "取込中 / importing" in err and "2/2" in err
    assert "取込結果 / summary" in out


@pytest.mark.django_db(transaction=True)
def test_dry_run_of_many_files_writes_nothing(capsys, folder):
    status, out, err = run(capsys, "import", str(folder), "--dry-run")
    assert status == 0, err
    assert "確認のみ（書き込んでいません）/ dry run (nothing written): 2 ファイル" in out
    assert "  KPI: 48（書き込む予定 / written）" in out
    assert m.Organization.objects.count() == 0


def test_help_says_what_the_exit_status_means(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "終了コード: 0 すべて成功（変更なしを含む）、2 失敗したファイルあり" in out
    assert "Exit status: 0 when every file went in or was unchanged, 2 when any failed" in out
    assert "--manifest" in out and "--workers" in out


TOWNS = (("012068", "釧路市"), ("011002", "札幌市"), ("012025", "函館市"), ("012033", "小樽市"),
         ("012041", "室蘭市"), ("012050", "帯広市"))  # fmt: skip
STORES = ["sqlite"] + (["postgresql"] if processes.POSTGRES else [])


@pytest.mark.parametrize("store", STORES)
def test_two_imports_of_one_folder_at_once_write_each_file_once(tmp_path, store):
    """Both see every organization new and take the bulk path; each organization is written by
    whichever commits first, and found imported (unchanged) by the other."""
    folder = tmp_path / "reports"
    for code, name in TOWNS:
        write(folder / f"{code}_r5.txt", name)
    ledger = tmp_path / "ledger"
    if store == "postgresql":
        processes.on_postgres(ledger)
    done = processes.run(ledger, "import", str(folder / "012068_r5.txt"), "--dry-run")
    assert done.returncode == 0, done.stderr  # the ledger is made before the race
    racers = [processes.start(ledger, "import", str(folder)) for _ in range(2)]
    results = [racer.communicate(timeout=300) for racer in racers]
    for racer, (_, err) in zip(racers, results, strict=True):
        assert racer.returncode == 0, err
    outs = [out for out, _ in results]
    imported = [int(out.split("取り込み / imported: ")[1].split()[0]) for out in outs]
    assert sum(imported) == len(TOWNS), outs
    query = processes.query
    assert query(ledger, "SELECT count(*) FROM ledger_importbatch") == [(len(TOWNS),)]
    assert query(ledger, "SELECT count(*) FROM ledger_organization") == [(len(TOWNS),)]
    assert query(ledger, "SELECT count(*) FROM ledger_kpi") == [(24 * len(TOWNS),)]
    assert query(ledger, "SELECT count(*) FROM ledger_judgement") == [(24 * len(TOWNS),)]
    assert query(ledger, "SELECT count(*) FROM ledger_historicalkpi") == [(24 * len(TOWNS),)]
    assert processes.integrity(ledger) == "ok"
