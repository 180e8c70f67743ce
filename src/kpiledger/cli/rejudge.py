"""`kpiledger rejudge`: judge every KPI of the ledger again and store the judgements.

Stored judgements (web/ledger/services/judgements.py) are rebuilt in the same transaction as
every change to what they are judged on; this command rebuilds them all, e.g. after the 概ね達成
threshold (`KPILEDGER_NEARLY`) changed or after an upgrade changed how a KPI is judged.
"""

from __future__ import annotations

import argparse
import sys
import time


def add_command(commands: argparse._SubParsersAction, formatter) -> None:  # type: ignore[type-arg,no-untyped-def]
    rejudge = commands.add_parser(
        "rejudge",
        formatter_class=formatter,
        help="全KPIの評価をやり直して保存する (judge every KPI again and store the judgements)",
        description="台帳に保存された評価（達成率・状況・進捗・事業効果の提案・分類）を、公表された"
        "報告年度ごとにすべて計算し直して置き換えます。概ね達成の閾値（KPILEDGER_NEARLY）を変えた"
        "後などに使います。団体ごとに一つのトランザクションで書き込むため、途中で止めても各団体の"
        "評価は前のままか新しいままです。"
        " (Recompute and replace the stored judgements (rate, status, progress, effect"
        " suggestion, category) of every public report year, e.g. after the 概ね達成 threshold"
        " KPILEDGER_NEARLY changed. Each organization is written in one transaction: stopped"
        " midway, each organization's judgements are either the old or the new ones.)",
    )
    rejudge.add_argument(
        "--org",
        metavar="CODE",
        help="この団体だけ（全国地方公共団体コード6桁） (this organization only: its 6-digit code)",
    )


def run(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from kpiledger.cli.database import prepare
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import judgements, reports

    prepare()
    started = time.perf_counter()
    if args.org:
        organization = reports.organization_of(args.org)
        rows, organizations = judgements.rejudge(organization), 1
    else:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("評価中 / judging", total=None)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            rows = judgements.rejudge_all(step)
        organizations = m.Organization.objects.count()
    seconds = time.perf_counter() - started
    stored = m.Judgement.objects.all()
    if args.org:
        stored = stored.filter(organization=organization)
    kpis = stored.count()
    print(
        f"評価を保存しました / judgements stored: 団体 / organizations {organizations:,}、"
        f"KPI×年度 / KPI-years {kpis:,}（{rows:,} 行 / rows、{seconds:.1f} 秒 / s）"
    )
    return 0
