"""CLI commands that use the ledger database: import, export, serve, manage.

Django is set up only when one of these runs, so `kpiledger evaluate` stays light.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from kpiledger.cli.database import prepare
from kpiledger.cli.options import SHEET_HELP, port_number, process_count, thread_count
from kpiledger.cli.overrides import DIRECTION_HELP, direction_option
from kpiledger.core.errors import KpiledgerError

REFERENCE_ORG = ("012068", "釧路市")

# Commands kept in modules of their own: each module has `add_command(commands, formatter)` and
# `run(args) -> int` (exit status); the command line lists them in this order.
COMMAND_MODULES = {
    "rejudge": "kpiledger.cli.rejudge",
    "demo-data": "kpiledger.cli.demo_data",
    "publish": "kpiledger.cli.publish",
}


def command_module(name: str):  # type: ignore[no-untyped-def]
    import importlib

    return importlib.import_module(COMMAND_MODULES[name])


def add_commands(commands: argparse._SubParsersAction, formatter) -> None:  # type: ignore[type-arg,no-untyped-def]
    imp = commands.add_parser(
        "import",
        formatter_class=formatter,
        help="報告書を台帳に取り込む (import reports into the ledger)",
        description="報告書を読み込み、変更内容を表示してから一つのトランザクションで台帳に書き込みます"
        "（全部か無か）。同じファイルの再取込は何も変えません。複数のファイルやフォルダ（下位フォルダも）"
        "を指定すると並列に読み込み、ファイルごとに全部か無かで書き込み、進捗と集計を表示します。"
        "問題のあるファイルは場所と理由を示し、他のファイルは取り込みます。各ファイルの団体は"
        " --manifest、--org、ファイル名の先頭の団体コード6桁（例: 012068_r5.xlsx）の順に決めます。"
        "終了コード: 0 すべて成功（変更なしを含む）、2 失敗したファイルあり。"
        " (Read a report, show what will change, then write it in one transaction: all or"
        " nothing. Re-importing the same file changes nothing. Several files or folders"
        " (recursively) are read in parallel and written all or nothing per file, with one"
        " progress bar and a summary; a bad file is reported with its place and reason and the"
        " others still go in. Each file's organization comes from --manifest, else --org, else"
        " the 6-digit code at the start of its name (e.g. 012068_r5.xlsx). Exit status: 0 when"
        " every file went in or was unchanged, 2 when any failed.)",
    )
    imp.add_argument(
        "file",
        nargs="+",
        metavar="FILE",
        help="報告書ファイル（Excel、CSV、タブ区切りテキスト、PDF）またはフォルダ。複数可。"
        "- は標準入力"
        " (report files: Excel, CSV, tab-separated text or PDF, or folders; several allowed;"
        " - reads standard input)",
    )
    imp.add_argument("--sheet", metavar="NAME", help=SHEET_HELP)
    imp.add_argument(
        "--direction",
        type=direction_option,
        action="append",
        default=[],
        metavar="KPI=DIR",
        help=DIRECTION_HELP + " 台帳に記録します (kept in the ledger)",
    )
    imp.add_argument(
        "--org",
        metavar="CODE",
        help="全国地方公共団体コード6桁。省略時はマニフェストまたはファイル名の先頭の6桁"
        " (6-digit local government code, e.g. 012068; default: from --manifest or the start of"
        " each file's name)",
    )
    imp.add_argument(
        "--manifest",
        metavar="CSV",
        help="ファイルと団体の対応表（見出し行 file,code[,name]、パスはこのファイルからの相対、"
        "UTF-8またはShift_JIS）(CSV of files and their organizations: a header row file,code"
        "[,name]; paths relative to it; UTF-8 or Shift_JIS)",
    )
    imp.add_argument(
        "--workers",
        type=process_count,
        metavar="N",
        help="複数ファイルを読み込むプロセス数（既定はCPUコア数）"
        " (processes reading many files; default: one per CPU core)",
    )
    imp.add_argument(
        "--name",
        help="新規の団体の団体名。省略時は地方公共団体コード表の名称"
        " (name of a new organization; default: its name in the bundled table of local"
        " governments)",
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="変更内容を表示するだけで書き込まない (preview only; write nothing)",
    )
    from kpiledger.cli import export

    export.add_command(commands, formatter)
    serve = commands.add_parser(
        "serve",
        formatter_class=formatter,
        help="ウェブ台帳を起動 (start the web ledger)",
        description="データベースを準備し（空なら参考報告を釧路市 012068 として読み込み）、"
        "本番用WSGIサーバ（waitress）で起動します。 (Migrate the database, load the reference"
        " report as Kushiro City 012068 when it is empty, and serve with waitress.)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=8000, help="ポート番号 (default 8000)")
    serve.add_argument("--threads", type=thread_count, default=8, help="スレッド数 (default 8)")
    manage = commands.add_parser(
        "manage",
        formatter_class=formatter,
        help="Djangoの管理コマンド (Django management commands, e.g. createsuperuser)",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    for name in COMMAND_MODULES:
        command_module(name).add_command(commands, formatter)


NO_SETUP_COMMANDS = {"makemigrations", "migrate", "sqlmigrate", "showmigrations", "help"}


def run(args: argparse.Namespace) -> int:
    from kpiledger.web import setup

    setup()
    if args.command == "import":
        from kpiledger.cli import import_many

        return import_many.run(args)
    if args.command == "export":
        from kpiledger.cli.export import run_export

        return run_export(args.org, args.year, args.format, args.output)
    if args.command == "serve":
        return run_serve(args.host, args.port, args.threads)
    if args.command in COMMAND_MODULES:
        return int(command_module(args.command).run(args))
    from django.core.management import execute_from_command_line

    if not NO_SETUP_COMMANDS.intersection(args.args[:1]):
        prepare()  # e.g. createsuperuser on a fresh data directory
    execute_from_command_line(["kpiledger manage", *args.args])
    return 0


def ensure_reference(stdout=sys.stdout) -> bool:  # type: ignore[no-untyped-def]
    """Load the bundled reference report as 釧路市 (012068) when the ledger is empty."""
    from kpiledger.cli.options import reference_report_path
    from kpiledger.io.readers import read_report
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import importing

    if m.Organization.objects.exists():
        return False
    path = reference_report_path()
    organization = importing.organization_for(*REFERENCE_ORG)
    plan = importing.plan_import(organization, read_report(path))
    importing.apply_import(plan, file_name=path.name, content=path.read_bytes())
    print(f"参考報告を読み込みました / loaded the reference report: {organization}", file=stdout)
    return True


def check_host(host: str, port: int) -> None:
    """A --host that is no address of this machine's kind (256.1.1.1, example.invalid) is a
    user's mistake: say so before anything starts."""
    import socket

    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        raise bad_host(host) from None


def bad_host(host: str) -> KpiledgerError:
    return KpiledgerError.single(
        "bad-host",
        f"--host {host} は待ち受けできるアドレス・ホスト名ではありません"
        "（例: 127.0.0.1、0.0.0.0、::1）",
        f"--host {host} is not an address or host name this server can listen on"
        " (e.g. 127.0.0.1, 0.0.0.0, ::1)",
    )


def run_serve(host: str, port: int, threads: int) -> int:
    from waitress.server import create_server

    from kpiledger.web.wsgi import application

    check_host(host, port)
    prepare(ensure_reference)
    try:
        server = create_server(
            application, host=host, port=port, threads=threads, ident="kpiledger"
        )
    except ValueError:  # waitress: a host it cannot listen on
        raise bad_host(host) from None
    except OSError as error:
        raise KpiledgerError.single(
            "cannot-listen",
            f"{host}:{port} で待ち受けできません（{error.strerror}）。"
            "--port で別の番号を指定してください",
            f"cannot listen on {host}:{port} ({error.strerror}); choose another --port",
        ) from None
    shown = f"[{host}]" if ":" in host else host
    print(f"kpiledger: http://{shown}:{port}/  （Ctrl+C で終了 / Ctrl+C to stop）", flush=True)
    print(
        f"職員用: http://{shown}:{port}/staff/ （年度の業務・取込）・/admin/ （管理）。役割は"
        " kpiledger manage member で付与（管理者は manage createsuperuser）"
        " / staff: /staff/ (the yearly cycle, imports) and /admin/; give roles with kpiledger"
        " manage member (the operator: manage createsuperuser)",
        flush=True,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "他の端末から開くときは KPILEDGER_ALLOWED_HOSTS にこのサーバのホスト名・IPアドレスを"
            "設定してください / to open it from other machines, list this server's host names in"
            " KPILEDGER_ALLOWED_HOSTS",
            flush=True,
        )
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0
