"""`kpiledger publish` (issue 11, item 7): the whole ledger as a static site that opens from the
file system — its files, its links, its pages against the server's, its JSON and CSV against the
API and the exports, the national data package, and its errors.

The ledger: the reference report (釧路市 令和5年度, 24 KPIs) and two layouts of tests/data as
two other organizations. The site is published once per module with one worker and once with
two (the same bytes); the data are committed (the workers are processes of their own) and
removed when the module ends. Each test runs in a transaction of its own, rolled back.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from kpiledger.cli.main import main
from kpiledger.core.orgcode import local_governments
from kpiledger.io.writers import national
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.static_site import build as site_build
from kpiledger.web.static_site import organization as site_organization
from kpiledger.web.static_site import output
from kpiledger.web.static_site.links import Locator
from kpiledger.web.static_site.pages import SiteWriter

pytestmark = pytest.mark.django_db

CODE, YEAR = f.KUSHIRO[0], 2023
LAYOUTS = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
LAYOUT_FILES = ("04_published_rate.txt", "09_lower_is_better.txt")
OTHER_CODES = tuple(c for c in sorted(local_governments()) if c != CODE)[: len(LAYOUT_FILES)]
LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')
REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]*)"')


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def digest(root: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files_of(root).items()}


@pytest.fixture(scope="module")
def ledger(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The reference and two layouts, committed; the ledger emptied again at the end."""
    with django_db_blocker.unblock():
        f.import_reference()
        for name, code in zip(LAYOUT_FILES, OTHER_CODES, strict=True):
            f.import_file(LAYOUTS / name, code=code, name=None)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def published(ledger, django_db_blocker, tmp_path_factory) -> dict[int, tuple[Path, str]]:  # type: ignore[no-untyped-def]
    """The whole site published with one worker and with two, each organization a task of its
    own (so that two processes share them): worker count → (folder, what the command printed)."""
    root = tmp_path_factory.mktemp("publish")
    done = {}
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(site_build, "CHUNK_KPIS", 1)
        assert len(site_build.chunks(site_build.jobs_for(None), site_build.kpi_counts())) == 3
        for workers in (1, 2):
            target, printed = root / f"site-{workers}", io.StringIO()
            with contextlib.redirect_stdout(printed):
                status = main(["publish", "--all", "-o", str(target), "--workers", str(workers)])
            assert status == 0
            done[workers] = (target, printed.getvalue())
    return done


@pytest.fixture(scope="module")
def site(published) -> Path:  # type: ignore[no-untyped-def]
    return published[2][0]


@pytest.fixture(scope="module")
def server(ledger, django_db_blocker):  # type: ignore[no-untyped-def]
    """GET of the server's answer for an address (anonymous reader), as bytes."""
    client = Client()

    def get(address: str) -> bytes:
        with django_db_blocker.unblock():
            response = client.get(address)
        assert response.status_code == 200, address
        return response.content

    return get


# --- the files --------------------------------------------------------------------------------


def test_one_worker_and_two_write_the_same_bytes(published):
    one, two = digest(published[1][0]), digest(published[2][0])
    assert len(one) > 200
    assert one == two


def test_the_site_has_every_page_kind_in_both_languages(site):
    for language in ("", "en/"):
        for page in (
            "index.html",
            "nation/index.html",
            "nation/prefectures.csv",
            "nation/organizations.csv",
            "pref/01/index.html",
            "pref/01/organizations.csv",
            "fields/index.html",
            f"org/{CODE}/index.html",
            f"org/{CODE}/{YEAR}/index.html",
            f"org/{CODE}/{YEAR}/dashboard/index.html",
        ):
            assert (site / language / page).is_file(), language + page
        fields = list((site / language / "field").glob("*/index.html"))
        assert len(fields) >= 5, language  # the fields of the three reports' KPIs
    for code in (CODE, *OTHER_CODES):
        assert (site / "org" / code / "index.html").is_file()
    kpi_pages = list((site / "org" / CODE / "kpi").glob(f"*/{YEAR}/index.html"))
    assert len(kpi_pages) == 24
    assert len(list((site / "en" / "org" / CODE / "kpi").glob(f"*/{YEAR}/index.html"))) == 24
    for name in ("kpi_012068_2023.csv", "kpi_012068_2023_long.csv", "kpi_012068_2023.json"):
        assert (site / "org" / CODE / str(YEAR) / name).is_file()
    assert (site / "static/ledger/css/ledger.css").is_file()
    assert (site / "static/ledger/vendor/echarts/echarts.common.min.js").is_file()
    assert (site / output.MARKER).read_text(encoding="utf-8") == output.MARKER_TEXT
    assert not (site / site_build.PARTS).exists()


def test_every_link_of_every_page_leads_to_a_file_of_the_site(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 150
    checked, broken = 0, []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<form" not in text, page  # no server to answer a form
        for url in LINK.findall(text) + REFRESH.findall(text):
            parts = urlsplit(html.unescape(url))
            if parts.scheme or not parts.path:  # another site; a fragment of the same page
                continue
            checked += 1
            if parts.path.startswith("/") or not (page.parent / unquote(parts.path)).is_file():
                broken.append((str(page.relative_to(site)), url))
    assert broken == []
    assert checked > 4000


def test_the_organizations_address_leads_to_its_latest_report(site):
    text = (site / "org" / CODE / "index.html").read_text(encoding="utf-8")
    assert REFRESH.findall(text) == [f"{YEAR}/index.html"]
    assert '<a href="2023/index.html">' in text


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(site):
    ja = (site / "org" / CODE / str(YEAR) / "index.html").read_text(encoding="utf-8")
    en = (site / "en" / "org" / CODE / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    assert f'href="../../../en/org/{CODE}/{YEAR}/index.html" lang="en"' in ja
    assert f'href="../../../../org/{CODE}/{YEAR}/index.html" lang="ja"' in en


# --- pages against the server's ---------------------------------------------------------------


def main_of(page: bytes) -> str:
    """The page's <main>, with every link's value blanked (the site's are relative)."""
    found = re.search(r"<main\b.*?</main>", page.decode("utf-8"), re.DOTALL)
    assert found is not None
    return LINK.sub(lambda m: m[0].replace(m[1], ""), found[0])


#: The downloads the site has not (`kpiledger export` makes them): Excel, PDF, data package.
NOT_ON_THE_SITE = re.compile(
    r'<li><a href="" download type="application/(?:pdf|zip|vnd\.openxml[\w.-]+)">[^<]*</a></li>'
)
FORM = re.compile(r"[ \t]*<form\b.*?</form>\n?", re.DOTALL)


@pytest.mark.parametrize(
    "address, file",
    [
        (f"/org/{CODE}/{YEAR}/", f"org/{CODE}/{YEAR}/index.html"),
        (f"/en/org/{CODE}/{YEAR}/", f"en/org/{CODE}/{YEAR}/index.html"),
        (f"/org/{CODE}/{YEAR}/dashboard/", f"org/{CODE}/{YEAR}/dashboard/index.html"),
    ],
)
def test_a_report_page_shows_what_the_server_shows(site, server, address, file):
    served = main_of(server(address))
    published = main_of((site / file).read_bytes())
    assert f.KUSHIRO[1] in served or "Kushiro" in served
    assert len(NOT_ON_THE_SITE.findall(served)) == 3
    assert published == NOT_ON_THE_SITE.sub("", served)


def test_a_kpi_page_shows_what_the_server_shows(site, server):
    kpi = m.Kpi.objects.get(project__organization__code=CODE, indicator=f.MIGRANTS)
    for language in ("", "en/"):
        served = server(f"/{language}org/{CODE}/kpi/{kpi.pk}/?year={YEAR}")
        file = site / f"{language}org/{CODE}/kpi/{kpi.pk}/{YEAR}/index.html"
        assert main_of(file.read_bytes()) == main_of(served)
    assert "105" in main_of(served)


def test_a_kpi_page_with_a_persons_change_shows_what_the_server_shows(ledger, server, tmp_path):
    """The site reads the change histories as plain values (`organization.ObservationRecord`),
    and the history rows are written by a template tag: a change made by a person shows their
    name and reason, escaped, as the server shows them."""
    kpi = m.Kpi.objects.get(project__organization__code=CODE, indicator=f.MIGRANTS)
    user = User.objects.create_user("tanaka<b>", password="pw-for-tests-only")
    observation = m.Observation.objects.filter(kpi=kpi).latest("fiscal_year")
    observation.note = "確認済み"
    observation._history_user = user  # type: ignore[attr-defined]
    observation._change_reason = '訂正 <script>&"'  # type: ignore[attr-defined]
    observation.save()
    [job] = site_build.jobs_for(CODE)
    writer = SiteWriter(tmp_path, Locator(("en",)), ("ja", "en"))
    site_organization.publish(job, writer, settings.KPILEDGER_NEARLY)
    for language in ("", "en/"):
        served = main_of(server(f"/{language}org/{CODE}/kpi/{kpi.pk}/?year={YEAR}"))
        file = tmp_path / f"{language}org/{CODE}/kpi/{kpi.pk}/{YEAR}/index.html"
        assert main_of(file.read_bytes()) == served
        assert ">tanaka&lt;b&gt;</td>" in served
        assert ">訂正 &lt;script&gt;&amp;&quot;</td>" in served


def test_the_comparison_pages_show_what_the_server_shows(site, server):
    field = sorted((site / "field").glob("*/index.html"))[0].parent.name
    pages = {
        "/nation/": "nation/index.html",
        "/pref/01/": "pref/01/index.html",
        "/fields/": "fields/index.html",
        f"/en/field/{field}/": f"en/field/{field}/index.html",
    }
    for address, file in pages.items():
        served = main_of(server(address))
        if "field/" in address or "nation" in address:
            assert "<form" in served, address  # left out of the site's page
        assert main_of((site / file).read_bytes()) == FORM.sub("", served), address
    for address in (
        "/nation/prefectures.csv",
        "/nation/organizations.csv",
        "/pref/01/organizations.csv",
    ):
        assert (site / address[1:]).read_bytes() == server(address)


# --- data ---------------------------------------------------------------------------------------


def test_the_report_downloads_are_what_the_server_serves(site, server):
    folder = site / "org" / CODE / str(YEAR)
    for fmt, name in (
        ("csv", "kpi_012068_2023_long.csv"),
        ("csv-wide", "kpi_012068_2023.csv"),
        ("json", "kpi_012068_2023.json"),
    ):
        assert (folder / name).read_bytes() == server(f"/org/{CODE}/{YEAR}/download/{fmt}")
    data = json.loads((folder / "kpi_012068_2023.json").read_bytes())
    kpis = [kpi for project in data["projects"] for kpi in project["kpis"]]
    migrants = next(k for k in kpis if k["indicator"] == f.MIGRANTS)
    assert len(kpis) == 24 and migrants["actuals"]["2022"] == 112
    assert migrants["actuals"]["2023"] == 105


def api_path(address: str) -> str:
    return "api/v1/" + address.removeprefix("/api/v1/") + ".json"


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/organizations",
        f"/api/v1/organizations/{CODE}",
        f"/api/v1/organizations/{CODE}/years",
        f"/api/v1/organizations/{CODE}/years/{YEAR}/summary",
        f"/api/v1/organizations/{CODE}/years/{YEAR}/projects",
        f"/api/v1/organizations/{CODE}/years/{YEAR}/kpis",
        f"/api/v1/organizations/{CODE}/years/{YEAR}/observations",
    ],
)
def test_the_api_files_are_what_the_api_answers(site, server, address):
    published = json.loads((site / api_path(address)).read_bytes())
    answered = json.loads(server(f"{address}?page_size=200" if address.endswith("s") else address))
    if "items" in answered:
        assert answered["count"] <= 200 and answered["pages"] == 1
        assert published["items"] == answered["items"]
        assert published["count"] == answered["count"] == len(published["items"])
        assert (published["page"], published["pages"]) == (1, 1)
    else:
        assert published == answered


def test_the_api_kpis_hold_the_reports_values(site):
    kpis = json.loads(
        (site / api_path(f"/api/v1/organizations/{CODE}/years/{YEAR}/kpis")).read_bytes()
    )
    assert kpis["count"] == 24
    names = [k["indicator"] for k in kpis["items"]]
    assert f.MIGRANTS in names and f.SATISFACTION in names


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_the_national_csv_files_hold_every_report(site):
    data = site / national.FOLDER
    organizations = read_csv(data / national.ORGANIZATIONS)
    assert [o["全国地方公共団体コード"] for o in organizations] == sorted((CODE, *OTHER_CODES))
    kushiro = next(o for o in organizations if o["全国地方公共団体コード"] == CODE)
    assert (kushiro["地方公共団体名"], kushiro["公表年度"]) == ("釧路市", "2023")
    kpis = read_csv(data / national.KPIS)
    assert sum(k["全国地方公共団体コード"] == CODE for k in kpis) == 24
    assert len(kpis) == m.ReportedKpi.objects.count()
    observations = read_csv(data / national.OBSERVATIONS)
    migrants = next(
        k for k in kpis if k["全国地方公共団体コード"] == CODE and k["指標"] == f.MIGRANTS
    )
    rows = {
        o["年度"]: o["実績値"]
        for o in observations
        if (o["全国地方公共団体コード"], o["KPI番号"]) == (CODE, migrants["KPI番号"])
    }
    assert (rows["2022"], rows["2023"]) == ("112", "105")
    assert len(read_csv(data / national.PROJECTS)) >= 7


def test_the_data_package_is_valid_frictionless(site):
    from frictionless import Package, validate

    report = validate(site / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = Package(site / "datapackage.json")
    assert [r.name for r in package.resources] == [
        "organizations",
        "projects",
        "kpis",
        "observations",
    ]
    assert report.stats["tasks"] == 4


# --- runs, options and errors -----------------------------------------------------------------


def test_the_summary_counts_what_was_written(published):
    for workers, (target, out) in published.items():
        written = files_of(target)
        pages = [name for name in written if name.endswith(".html")]
        assert f"書き出しました / published: {target}" in out
        assert "団体 / organizations: 3  報告書 / reports: 3  KPI: 32" in out
        assert f"ページ / pages: {len(pages):,}  ファイル / files: {len(written) - 1:,}" in out
        assert f"{workers} プロセス / processes" in out


def test_publishing_again_replaces_the_site(ledger, django_db_blocker, capsys, tmp_path):
    target = tmp_path / "site"
    argv = ["publish", "--org", CODE, "--no-english", "-o", str(target)]
    with django_db_blocker.unblock():
        assert run(capsys, *argv)[0] == 0
        before = digest(target)
        (target / "org" / "stale.html").write_text("old", encoding="utf-8")
        (target / "index.html").write_text("changed", encoding="utf-8")
        status, _, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    assert digest(target) == before  # the stale file gone, the changed one as published
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no folder left aside


def test_one_organization_and_no_english(ledger, django_db_blocker, capsys, tmp_path):
    target = tmp_path / "one"
    with django_db_blocker.unblock():
        status, out, err = run(capsys, "publish", "--org", CODE, "--no-english", "-o", str(target))
    assert (status, err) == (0, "")
    assert "団体 / organizations: 1" in out
    assert sorted(p.name for p in (target / "org").iterdir()) == [CODE]
    assert not (target / "en").exists()
    assert not (target / "nation").exists()
    home = (target / "index.html").read_text(encoding="utf-8")
    assert "釧路市" in home and 'lang="en"' not in home
    organizations = read_csv(target / national.FOLDER / national.ORGANIZATIONS)
    assert [o["全国地方公共団体コード"] for o in organizations] == [CODE]
    assert len(read_csv(target / national.FOLDER / national.KPIS)) == 24
    assert len(list((target / "org" / CODE / "kpi").glob(f"*/{YEAR}/index.html"))) == 24


def assert_refused(capsys, argv: list[str], code: str, tmp_path: Path, before: set[Path]) -> str:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert code in err
    assert set(tmp_path.rglob("*")) == before, "nothing written"
    return err


def test_a_file_as_target_is_refused(tmp_path, capsys):
    target = tmp_path / "site"
    target.write_text("a file", encoding="utf-8")
    err = assert_refused(capsys, ["publish", "--all", "-o", str(target)], "output-not-folder",
                         tmp_path, set(tmp_path.rglob("*")))  # fmt: skip
    assert "フォルダではありません" in err and "is not a folder" in err
    assert target.read_text(encoding="utf-8") == "a file"


def test_a_folder_that_is_not_a_site_is_refused_unless_forced(
    tmp_path, capsys, ledger, django_db_blocker
):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    argv = ["publish", "--org", CODE, "--no-english", "-o", str(target)]
    err = assert_refused(capsys, argv, "output-not-empty", tmp_path, set(tmp_path.rglob("*")))
    assert "空ではなく" in err and "--force" in err and "is not empty" in err
    with django_db_blocker.unblock():
        assert run(capsys, *argv, "--force")[0] == 0
    assert not (target / "keep.txt").exists() and (target / "index.html").is_file()


def test_a_missing_parent_is_refused(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "site"
    err = assert_refused(capsys, ["publish", "--all", "-o", str(target)], "output-parent-missing",
                         tmp_path, set(tmp_path.rglob("*")))  # fmt: skip
    assert "フォルダがありません" in err and "does not exist" in err


def test_a_folder_that_cannot_be_written_is_refused(
    tmp_path, capsys, monkeypatch, ledger, django_db_blocker
):
    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkdtemp", refused)
    with django_db_blocker.unblock():
        err = assert_refused(capsys, ["publish", "--all", "-o", str(tmp_path / "site")],
                             "output-cannot-write", tmp_path, set(tmp_path.rglob("*")))  # fmt: skip
    assert "書き込めません" in err and "cannot write" in err and "Permission denied" in err


def test_an_empty_ledger_has_nothing_to_publish(tmp_path, capsys, ledger, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        m.ImportBatch.objects.update(status=m.ImportBatch.Status.DISCARDED)  # rolled back below
        m.FiscalYear.objects.update(published_at=None)
        status, out, err = run(capsys, "publish", "--all", "-o", str(tmp_path / "site"))
        transaction.set_rollback(True)
    assert (status, out) == (2, "")
    assert "nothing-to-publish" in err
    assert "公表された報告書がありません" in err and "the ledger has no published report" in err
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_run_leaves_the_previous_site(
    tmp_path, capsys, monkeypatch, ledger, django_db_blocker
):
    target = tmp_path / "site"
    argv = ["publish", "--org", CODE, "--no-english", "-o", str(target)]
    with django_db_blocker.unblock():
        assert run(capsys, *argv)[0] == 0
        before = digest(target)

        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("interrupted")

        monkeypatch.setattr(site_organization, "write_data", broken)
        status, _, err = run(capsys, *argv)
    assert status == 1 and "interrupted" in err
    assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
