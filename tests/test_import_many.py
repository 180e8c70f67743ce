"""`kpiledger import` of many files: which files a folder gives, and each file's organization
from its name, a manifest or --org (no database; the import itself is tested in
web/ledger/tests/test_import_many.py and test_bulk_import.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpiledger.cli.import_many import assign, code_in_name, collect, read_manifest, report_files
from kpiledger.core.errors import KpiledgerError


def touch(folder: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("012068_r5.xlsx", "012068"),
        ("012068-令和5年度.csv", "012068"),
        ("012068.txt", "012068"),
        ("０１２０６８_r5.txt", "012068"),  # full-width digits
        ("0120681_r5.txt", None),  # seven digits: not a code
        ("r5_012068.txt", None),  # not at the start
        ("釧路市.xlsx", None),
    ],
)
def test_the_code_is_the_six_digits_at_the_start_of_the_name(name, code):
    assert code_in_name(Path(name)) == code


def test_folders_are_read_recursively_in_name_order_skipping_what_is_no_report(tmp_path):
    touch(tmp_path, "b/011002_r5.csv", "a/012068_r5.txt", "012041_r5.xlsx", "notes.md",
          ".hidden/013021_r5.txt", ".012025_r5.txt", "~$012068_r5.xlsx", "c/readme.docx",
          "d/e/012033_r5.PDF")  # fmt: skip
    found = [p.relative_to(tmp_path).as_posix() for p in report_files(tmp_path)]
    assert found == [
        "012041_r5.xlsx",
        "a/012068_r5.txt",
        "b/011002_r5.csv",
        "d/e/012033_r5.PDF",
    ]


def test_named_files_are_always_taken_once_and_the_manifest_is_skipped(tmp_path):
    [named, inside, manifest] = touch(tmp_path, "x/notes.md", "x/012068_r5.txt", "x/list.csv")
    paths = collect([str(named), str(tmp_path / "x"), str(inside)], skip=manifest)
    assert paths == [named, inside]


def test_manifest_first_then_org_then_the_name(tmp_path):
    listed, coded, plain = touch(tmp_path, "listed.txt", "011002_r5.txt", "plain.txt")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,code,name\nlisted.txt,012068,釧路市\n", encoding="utf-8")
    entries = read_manifest(manifest)
    items, unassigned = assign([listed, coded, plain], None, None, entries)
    assert [(i.path.name, i.code, i.name) for i in items] == [
        ("listed.txt", "012068", "釧路市"),
        ("011002_r5.txt", "011002", None),
    ]
    [(path, problem)] = unassigned
    assert path == plain and problem.code == "no-org-code"
    assert "plain.txt" in problem.message_ja and "plain.txt" in problem.message_en
    items, unassigned = assign([listed, coded, plain], "013021", "どこか", entries)
    assert [i.code for i in items] == ["012068", "013021", "013021"] and unassigned == []


def test_a_wrong_check_digit_in_a_name_is_reported_for_that_file(tmp_path):
    [path] = touch(tmp_path, "012067_r5.txt")
    items, [(bad, problem)] = assign([path], None, None, {})
    assert items == [] and bad == path
    assert problem.code == "bad-org-code"
    assert "012067_r5.txt" in problem.message_ja and "012068" in problem.message_en


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_manifest_in_utf8_with_or_without_bom_or_shift_jis(tmp_path, encoding):
    (tmp_path / "sub").mkdir()
    manifest = tmp_path / "sub" / "一覧.csv"
    text = "ファイル,団体コード,団体名\n../r5/釧路.txt,０１２０６８,釧路市\nsapporo.xlsx,011002,\n"
    manifest.write_bytes(text.encode(encoding))
    entries = read_manifest(manifest)
    kushiro_path = (tmp_path / "r5" / "釧路.txt").resolve()  # relative to the manifest
    sapporo_path = (tmp_path / "sub" / "sapporo.xlsx").resolve()
    assert set(entries) == {kushiro_path, sapporo_path}
    kushiro, sapporo = entries[kushiro_path], entries[sapporo_path]
    assert (kushiro.code, kushiro.name, kushiro.line) == ("012068", "釧路市", 2)
    assert (sapporo.code, sapporo.name, sapporo.line) == ("011002", None, 3)


def test_manifest_problems_are_located_and_collected(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "file,code\na.txt,012067\n,012068\nb.txt,012068\nb.txt,011002\n", encoding="utf-8"
    )
    with pytest.raises(KpiledgerError) as caught:
        read_manifest(manifest)
    located = [(p.code, p.line, p.column) for p in caught.value.problems]
    assert located == [("bad-org-code", 2, 2), ("bad-manifest", 3, 1), ("bad-manifest", 5, 1)]
    assert all("m.csv" in p.message_ja and p.message_en for p in caught.value.problems)


def test_manifest_without_its_columns_is_refused(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,organization\na.txt,012068\n", encoding="utf-8")
    with pytest.raises(KpiledgerError) as caught:
        read_manifest(manifest)
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("bad-manifest", 1)
    assert "file, code" in problem.message_ja and "file, code" in problem.message_en
