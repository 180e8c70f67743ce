"""`bulk.import_files`: many files read in parallel, written one transaction per file; a bad
file is reported and the others go in; the ledger is the same whether read in parallel or one
by one; every row written has its history row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from kpiledger.core.model import Report
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import (
    bulk_read,
    bulk_write,
    fresh_write,
    inserts,
    judgements,
    writer,
)
from kpiledger.web.ledger.services.bulk import FileToImport, Status, import_files
from kpiledger.web.ledger.services.fresh_rows import FreshFile, fresh_rows
from kpiledger.web.ledger.tests import factories as f

TOWNS = (("012068", "釧路市"), ("011002", "札幌市"), ("012025", "函館市"), ("012033", "小樽市"))


def town_report(name: str, text: str = f.REFERENCE_TEXT) -> str:
    return text.replace("釧路市", name)


def files(folder: Path, towns=TOWNS) -> list[FileToImport]:  # type: ignore[no-untyped-def]
    items = []
    for code, name in towns:
        path = folder / f"{code}_r5.txt"
        path.write_text(town_report(name), encoding="utf-8")
        items.append(FileToImport(path, code))
    return items


def ledger_contents() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every ledger and history table, without the times of writing; keys are
    replaced by each row's place in its table (PostgreSQL's sequences go on after a flush, so
    the same rows written again get other ids)."""
    volatile = {
        "history_date",
        "applied_at",
        "created_at",
        "published_at",
        "changed_at",
        "judged_at",
    }
    models = f.ledger_models()
    places = {
        model: {
            pk: n for n, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True))
        }
        for model in models
    }

    def place(field, value):  # type: ignore[no-untyped-def]
        if field.primary_key and field.model in places:
            return places[field.model].get(value, value)
        original = getattr(field.model, "instance_type", None)  # a history row's `id`
        if field.name == "id" and original in places:
            return places[original].get(value, ("gone", value))
        target = field.related_model if field.is_relation else None
        if target is not None and target in places and value is not None:
            return places[target].get(value, value)
        return value

    contents = {}
    for model in models:
        fields = [f for f in model._meta.concrete_fields if f.attname not in volatile]
        rows = model.objects.order_by("pk").values_list(*[f.attname for f in fields])
        contents[model.__name__] = [
            tuple(place(f, v) for f, v in zip(fields, row, strict=True)) for row in rows
        ]
    return contents


@pytest.mark.django_db
def test_files_are_imported_each_as_its_organization(tmp_path):
    done = []
    summary = import_files(files(tmp_path), workers=2, on_done=done.append)
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED] * 4
    assert [o.index for o in done] == [0, 1, 2, 3]  # reported in the order given
    assert (summary.imported, summary.unchanged, summary.failed) == (4, 0, 0)
    assert summary.kpis == 4 * 24 and summary.ok and summary.workers == 2
    assert list(m.Organization.objects.values_list("code", "name")) == sorted(TOWNS)
    assert m.Kpi.objects.count() == 96 and m.Observation.objects.count() == 480
    sapporo = m.Project.objects.filter(organization__code="011002")
    assert sapporo.filter(name__endswith="札幌市におけるテレワーク等推進事業").exists()
    assert [o.fiscal_year for o in summary.outcomes] == [2023] * 4
    assert {o.batch_id for o in summary.outcomes} == set(
        m.ImportBatch.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_every_row_written_has_its_history_row_with_the_reason(tmp_path):
    import_files(files(tmp_path), workers=2)
    for model in (m.Organization, m.Project, m.Kpi, m.Observation, m.ReportedKpi,
                  m.FiscalYear, m.ProjectYear):  # fmt: skip
        history = model.history.model.objects
        assert history.count() == model.objects.count() > 0, model
        assert set(history.values_list("history_type", flat=True)) == {"+"}
        assert set(history.values_list("id", flat=True)) == set(
            model.objects.values_list("pk", flat=True)
        )
    reasons = set(m.Kpi.history.values_list("history_change_reason", flat=True))
    assert reasons == {f"取込 / import: {code}_r5.txt" for code, _ in TOWNS}
    kpi = m.Kpi.objects.get(indicator="移住者数", project__organization__code="012025")
    assert kpi.history.get().target == Decimal("121")


@pytest.mark.django_db
def test_a_bad_file_is_reported_and_the_others_go_in(tmp_path):
    items = files(tmp_path)
    unreadable = tmp_path / "012025_r5.txt"
    unreadable.write_text("事業の名称\t指標\n", encoding="utf-8")
    precise = tmp_path / "012033_r5.txt"  # read fine, refused by the ledger
    precise.write_text(town_report("小樽市").replace("\t73.5\n", "\t73.12345\n"), encoding="utf-8")
    summary = import_files(items, workers=2)
    assert [o.status for o in summary.outcomes] == [
        Status.IMPORTED, Status.IMPORTED, Status.FAILED, Status.FAILED
    ]  # fmt: skip
    assert (summary.imported, summary.failed, summary.ok) == (2, 2, False)
    bad, too_precise = summary.outcomes[2:]
    assert bad.problems and all(p.message_ja and p.message_en for p in bad.problems)
    assert [p.code for p in too_precise.problems] == ["value-out-of-range"]
    assert too_precise.problems[0].line is not None  # where in the file
    assert "73.12345" in too_precise.problems[0].message_en
    assert set(m.Organization.objects.values_list("code", flat=True)) == {"012068", "011002"}
    assert m.ImportBatch.objects.count() == 2 and m.Kpi.objects.count() == 48


def careful_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every file through the careful path (plan against the ledger, then write), none through
    the bulk path of new organizations."""
    monkeypatch.setattr(bulk_write, "fresh_candidates", lambda items: {})


def fail_for(monkeypatch, code: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """The writing of `code`'s observations fails (a full disk) on the `path` given."""
    if path == "careful":
        careful_only(monkeypatch)
        real = inserts.create_with_history

        def failing(objs, model, **kwargs):  # type: ignore[no-untyped-def]
            if model is m.Observation and objs and objs[0].kpi.project.organization.code == code:
                raise RuntimeError("disk full")
            return real(objs, model, **kwargs)

        monkeypatch.setattr(writer, "create_with_history", failing)
        return
    resolved = fresh_write._Rows._resolved

    def failing_rows(self, index, file, spec, ids, rows):  # type: ignore[no-untyped-def]
        if spec.model is m.Observation and file.code == code:
            raise RuntimeError("disk full")
        return resolved(self, index, file, spec, ids, rows)

    monkeypatch.setattr(fresh_write._Rows, "_resolved", failing_rows)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["bulk", "careful"])
def test_a_file_failing_while_written_leaves_nothing_of_it(tmp_path, monkeypatch, path):
    fail_for(monkeypatch, "011002", path)
    summary = import_files(files(tmp_path), workers=1)
    assert [o.status for o in summary.outcomes] == [
        Status.IMPORTED, Status.FAILED, Status.IMPORTED, Status.IMPORTED
    ]  # fmt: skip
    [problem] = summary.outcomes[1].problems
    assert problem.code == "import-failed" and "disk full" in problem.message_en
    assert not m.Organization.objects.filter(code="011002").exists()
    assert not m.Kpi.history.filter(project_id__isnull=True).exists()
    assert m.Kpi.objects.count() == m.Kpi.history.count() == 72
    assert m.Organization.history.count() == 3
    assert m.Judgement.objects.count() == 72
    assert [o.batch_id is not None for o in summary.outcomes] == [True, False, True, True]


@pytest.mark.django_db
def test_two_files_of_one_organization_and_year_the_second_is_refused(tmp_path):
    items = files(tmp_path, TOWNS[:2])
    other = tmp_path / "012068_r5_corrected.txt"
    other.write_text(f.REFERENCE_TEXT.replace("\t73.5\n", "\t74.5\n"), encoding="utf-8")
    same = tmp_path / "012068_copy.txt"
    same.write_bytes(items[0].path.read_bytes())
    items += [FileToImport(other, "012068"), FileToImport(same, "012068")]
    summary = import_files(items, workers=2)
    assert [o.status for o in summary.outcomes] == [
        Status.IMPORTED, Status.IMPORTED, Status.FAILED, Status.UNCHANGED
    ]  # fmt: skip
    [problem] = summary.outcomes[2].problems
    assert problem.code == "duplicate-report"
    assert str(items[0].path) in problem.message_ja and str(items[0].path) in problem.message_en
    assert f.observation("アンケートによる施設予約システム利用者満足度", 2023).value == Decimal(
        "73.5"
    )  # the first kept
    assert m.ImportBatch.objects.filter(organization__code="012068").count() == 1


@pytest.mark.django_db
def test_two_years_of_one_organization_go_in_in_the_order_given(tmp_path):
    r5, r6 = tmp_path / "012068_r5.txt", tmp_path / "012068_r6.txt"
    r5.write_text(f.REFERENCE_TEXT, encoding="utf-8")
    r6.write_text(f.next_year_text(), encoding="utf-8")
    summary = import_files([FileToImport(r5, "012068"), FileToImport(r6, "012068")], workers=2)
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED, Status.IMPORTED]
    assert [o.fiscal_year for o in summary.outcomes] == [2023, 2024]
    assert f.observation(f.MIGRANTS, 2023).value == Decimal("106")  # corrected by FY2024
    assert m.ReportedKpi.objects.filter(fiscal_year=2024).count() == 26


@pytest.mark.django_db
def test_bad_code_and_new_name_come_from_the_item(tmp_path):
    good, bad, unknown = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    for path in (good, bad, unknown):
        path.write_text(f.REFERENCE_TEXT, encoding="utf-8")
    items = [FileToImport(good, "016951", "色丹村"), FileToImport(bad, "012067"),
             FileToImport(unknown, "016969")]  # fmt: skip
    summary = import_files(items, workers=1)
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED, Status.FAILED, Status.FAILED]
    assert [p.code for p in summary.outcomes[1].problems] == ["bad-org-code"]
    assert [p.code for p in summary.outcomes[2].problems] == ["unknown-org-code"]
    assert m.Organization.objects.get().name == "色丹村"


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    summary = import_files(files(tmp_path), workers=2, dry_run=True)
    assert (summary.imported, summary.kpis) == (4, 96)
    assert m.Organization.objects.count() == m.ImportBatch.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_and_serial_reading_give_the_same_ledger(tmp_path):
    items = files(tmp_path)
    items.insert(2, FileToImport(tmp_path / "missing.txt", "012041"))
    parallel = import_files(items, workers=2)
    assert [o.status for o in parallel.outcomes].count(Status.FAILED) == 1
    [problem] = parallel.outcomes[2].problems
    assert problem.code == "cannot-open"
    after_parallel = ledger_contents()
    call_command("flush", interactive=False, verbosity=0)
    serial = import_files(items, workers=1)
    assert [(o.status, o.kpis) for o in serial.outcomes] == [
        (o.status, o.kpis) for o in parallel.outcomes
    ]
    assert ledger_contents() == after_parallel
    assert sum(len(rows) for rows in after_parallel.values()) > 1000


def test_worker_count_defaults_to_the_cores_and_never_exceeds_the_files():
    assert bulk_read.worker_count(8, 3) == 3
    assert bulk_read.worker_count(None, 1000) >= 1
    assert bulk_read.worker_count(0, 5) == 1


def without_version(contents: dict[str, list[tuple[object, ...]]]) -> dict[str, object]:
    """The ledger's rows but its version number (raised once per file by the careful path,
    once per transaction by the bulk path)."""
    return {name: rows for name, rows in contents.items() if name != "LedgerVersion"}


def layouts(folder: Path) -> list[FileToImport]:
    """The four towns and a FY2024 report of a fifth, with projects and KPIs of their own."""
    items = files(folder)
    r6 = folder / "012041_r6.txt"
    r6.write_text(f.next_year_text().replace("釧路市", "室蘭市"), encoding="utf-8")
    return [*items, FileToImport(r6, "012041")]


@pytest.mark.django_db(transaction=True)
def test_the_bulk_path_writes_what_the_careful_path_writes(tmp_path, monkeypatch):
    items = layouts(tmp_path)
    written = []
    real = fresh_write.write_files
    monkeypatch.setattr(
        fresh_write, "write_files", lambda files: written.append(files) or real(files)
    )
    bulk_summary = import_files(items, workers=1)
    assert [o.status for o in bulk_summary.outcomes] == [Status.IMPORTED] * 5
    assert [[file.code for file in files] for files in written] == [[i.code for i in items]]
    monkeypatch.undo()
    by_bulk = ledger_contents()
    call_command("flush", interactive=False, verbosity=0)
    careful_only(monkeypatch)
    careful = import_files(items, workers=1)
    assert [(o.status, o.kpis, o.fiscal_year) for o in careful.outcomes] == [
        (o.status, o.kpis, o.fiscal_year) for o in bulk_summary.outcomes
    ]
    assert without_version(ledger_contents()) == without_version(by_bulk)
    assert len(by_bulk["Judgement"]) == 4 * 24 + 26 and len(by_bulk["HistoricalObservation"]) > 0


def stored_judgements() -> list[tuple[object, ...]]:
    kpis = m.Judgement.objects.values_list(
        "kpi__project__organization__code", "kpi__project__name", "kpi__indicator",
        "fiscal_year", "position", "status", "rate", "judged_year", "progress", "goal",
        "field", "category_reason", "nearly", "record",
    )  # fmt: skip
    projects = m.ProjectJudgement.objects.values_list(
        "project__organization__code", "project__name", "fiscal_year", "effect_suggestion",
        "effect_reason_ja", "effect_reason_en", "flags", "goal", "field", "category_reason",
    )  # fmt: skip
    return sorted([*kpis, *projects], key=repr)


@pytest.mark.django_db
def test_the_bulk_paths_stored_judgements_are_a_fresh_rejudge(tmp_path):
    summary = import_files(layouts(tmp_path), workers=2)
    assert summary.imported == 5
    stored = stored_judgements()
    assert m.Judgement.objects.count() == 4 * 24 + 26
    assert m.ProjectJudgement.objects.filter(organization__code="012068").count() == 7
    assert judgements.rejudge_all() == len(stored)
    assert stored_judgements() == stored
    statuses = set(m.Judgement.objects.values_list("status", flat=True))
    assert {"achieved", "not_achieved"} <= statuses


@pytest.mark.django_db(transaction=True)
def test_a_batch_failing_as_a_whole_is_written_one_file_at_a_time(tmp_path, monkeypatch):
    items = files(tmp_path)
    import_files(items, workers=1)
    once = ledger_contents()
    call_command("flush", interactive=False, verbosity=0)
    real = fresh_write._write
    batches = []

    def no_batches(files):  # type: ignore[no-untyped-def]
        batches.append(len(files))
        if len(files) > 1:  # e.g. another import created one of the organizations meanwhile
            raise RuntimeError("unique constraint")
        return real(files)

    monkeypatch.setattr(fresh_write, "_write", no_batches)
    summary = import_files(items, workers=1)
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED] * 4
    assert batches == [4, 1, 1, 1, 1]
    assert without_version(ledger_contents()) == without_version(once)


@pytest.mark.django_db
def test_an_organization_with_data_by_the_time_of_writing_takes_the_careful_path(
    tmp_path, monkeypatch
):
    r5, r6 = tmp_path / "012068_r5.txt", tmp_path / "012068_r6.txt"
    r5.write_text(f.REFERENCE_TEXT, encoding="utf-8")
    r6.write_text(f.next_year_text(), encoding="utf-8")
    import_files([FileToImport(r5, "012068")], workers=1)
    # as if another import wrote FY2023 after this one chose the bulk path for FY2024
    monkeypatch.setattr(bulk_write, "fresh_candidates", lambda items: {0: ("012068", None, True)})
    summary = import_files([FileToImport(r6, "012068")], workers=1)
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED]
    assert f.observation(f.MIGRANTS, 2023).value == Decimal("106")  # corrected by FY2024
    assert m.ReportedKpi.objects.filter(fiscal_year=2024).count() == 26
    assert m.Organization.objects.count() == 1 and m.ImportBatch.objects.count() == 2
    assert set(m.Judgement.objects.values_list("fiscal_year", flat=True)) == {2023, 2024}


@pytest.mark.django_db
def test_a_report_the_bulk_path_does_not_cover_takes_the_careful_path(tmp_path):
    path = tmp_path / "012068_r5.txt"
    path.write_text(f.REFERENCE_TEXT, encoding="utf-8")
    content, report = bulk_read.read_file(str(path), None)  # type: ignore[misc]
    assert isinstance(bulk_read.read_file(str(path), None, ("012068", None, True)), FreshFile)
    twice = Report(report.title, report.fiscal_year, [*report.projects, report.projects[0]])
    assert fresh_rows(twice, content, "012068", None, path.name) is None
    assert fresh_rows(Report("", 2023, []), content, "012068", None, path.name) is None


@pytest.mark.django_db
def test_files_imported_before_are_unchanged_without_being_parsed(tmp_path, monkeypatch):
    items = files(tmp_path)
    import_files(items, workers=1)
    before = ledger_contents()
    import kpiledger.io.readers as readers

    def no_parsing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("parsed")

    monkeypatch.setattr(readers, "read_report_bytes", no_parsing)
    again = import_files(items, workers=1)
    assert [(o.status, o.fiscal_year) for o in again.outcomes] == [(Status.UNCHANGED, 2023)] * 4
    assert without_version(ledger_contents()) == without_version(before)
    monkeypatch.undo()
    other = tmp_path / "012068_r5_corrected.txt"
    other.write_text(f.REFERENCE_TEXT.replace("\t73.5\n", "\t74.5\n"), encoding="utf-8")
    summary = import_files([items[0], FileToImport(other, "012068")], workers=1)
    assert [o.status for o in summary.outcomes] == [Status.UNCHANGED, Status.FAILED]
    assert [p.code for p in summary.outcomes[1].problems] == ["duplicate-report"]
    assert str(items[0].path) in summary.outcomes[1].problems[0].message_en
