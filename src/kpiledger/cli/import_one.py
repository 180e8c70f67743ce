"""`kpiledger import FILE --org CODE`: one report, its preview printed, then written in one
transaction (many files at once: cli/import_many.py)."""

from __future__ import annotations

import contextlib
import os
import sys

from kpiledger.cli.database import prepare
from kpiledger.cli.inputs import warning_label
from kpiledger.cli.overrides import apply_directions
from kpiledger.cli.terminal import printable
from kpiledger.core.model import Direction


def run_import(
    file: str,
    org_code: str,
    name: str | None,
    dry_run: bool,
    sheet: str | None = None,
    directions: list[tuple[str, Direction]] | None = None,
) -> int:
    from kpiledger.cli.inputs import read_input
    from kpiledger.web.ledger.services import importing

    source = read_input(file, sheet)
    report, content = source.report, source.content
    apply_directions(report, directions or [])
    with contextlib.suppress(OSError):
        os.nice(5)  # an import is batch work: pages served from this machine come first
    prepare()
    if dry_run:
        organization = importing.organization_for(org_code, name)
        print_plan(importing.plan_import(organization, report, content), source.name)
        print("確認のみ：台帳には何も書き込んでいません / dry run: nothing was written")
        return 0
    # Plan and write in one transaction with the organization locked: a report imported by
    # another process meanwhile is part of what this plan sees.
    with importing.writing(org_code, name) as organization:
        plan = importing.plan_import(organization, report, content)
        print_plan(plan, source.name)
        if plan.already_imported:
            return 0
        batch = _apply_with_progress(plan, source.name, content)
    print(f"取り込みました（取込番号 {batch.pk}）/ imported (batch {batch.pk})")
    return 0


def _apply_with_progress(plan, file_name: str, content: bytes):  # type: ignore[no-untyped-def]
    from rich.progress import Progress

    from kpiledger.web.ledger.services import importing

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("取込中 / importing", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return importing.apply_import(plan, file_name=file_name, content=content, progress=step)


def print_plan(plan, file_name: str) -> None:  # type: ignore[no-untyped-def]
    """The preview on stdout, from the same view as the upload form's preview: per project and
    KPI what is added, changed (old → new) or left as is. Texts from the file are shown
    literally (control characters escaped)."""
    from kpiledger.web.ledger.presenters.plan import plan_view

    view = plan_view(plan, file_name, "both")
    print(printable(f"{view.organization} ← {view.file_name}  {view.year}"))
    if view.new_organization:
        org = plan.organization
        print(
            printable(
                f"  新しい団体として登録します: {org.name}（{org.prefecture}）/ "
                f"a new organization: {org.name} ({org.prefecture})"
            )
        )
    for said in [*view.notices, *view.warnings]:  # how it was read; e.g. a file cut short
        print(printable(f"  {warning_label(said.code)}: {said.format()}"))
    if view.already_imported:
        print(
            "このファイルは取込済みです。何も変更しません。/ "
            "This file was already imported; nothing changes."
        )
        return
    for project in view.projects:
        print(printable(f"  [{project.label}] {project.name}"))
        for change in project.changes:
            print(printable(f"      ! {change.kind}: {change.before} → {change.after}"))
        for kpi in project.kpis:
            print(printable(f"    - [{kpi.label}] {kpi.indicator}"))
            for change in kpi.changes:
                year = f" {change.year}" if change.year else ""
                line = f"        ! {change.kind}{year}: {change.before} → {change.after}"
                print(printable(line))
    print("  KPI: " + "、".join(f"{label} {count}" for label, count in view.tally))
    for label, count in view.counts:
        print(f"  {label}: {count}")
    if view.nothing_to_apply:
        print("変更はありません / no changes")
