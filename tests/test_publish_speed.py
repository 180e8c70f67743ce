"""What `kpiledger publish` does to be fast gives what the plain ways give: remembered URLs
(`presenters.urls.reverse`), the template nodes of the folded templates
(`static_site.template_nodes`), small files with the same bytes shared as hard links
(`static_site.pages.SiteWriter`), and the API's files validated by plain pydantic models
(`static_site.api_files.plain_model`).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from ninja.responses import NinjaJSONEncoder
from pydantic import TypeAdapter

from kpiledger.web.api import records
from kpiledger.web.api import schemas as s
from kpiledger.web.ledger.presenters import urls
from kpiledger.web.static_site import api_files, template_nodes
from kpiledger.web.static_site.links import Locator, unlink_missing
from kpiledger.web.static_site.pages import SHARED_BYTES, SiteWriter
from kpiledger.web.static_site.templates import Compiled

#: Every URL name the public pages reverse with arguments (presenters and `{% url %}`), with
#: arguments of each kind they are given.
NAMED = [
    ("ledger:home", ()),
    ("ledger:nation", ()),
    ("ledger:fields", ()),
    ("ledger:organization", ("012068",)),
    ("ledger:report", ("012068", 2023)),
    ("ledger:report", ("012068", "2022")),
    ("ledger:dashboard", ("012068", 2023)),
    ("ledger:download", ("012068", 2023, "csv-wide")),
    ("ledger:kpi", ("012068", 7)),
    ("ledger:kpi", ("472018", 123456)),
    ("ledger:prefecture", ("01",)),
    ("ledger:prefecture_csv", ("13",)),
    ("ledger:field", ("tourism",)),
    ("ledger:field_csv", ("tourism", "organizations")),
]


@pytest.fixture(autouse=True)
def _forget_urls():
    urls.forget()
    yield
    urls.forget()


# --- remembered URLs --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_remembered_urls_are_what_reverse_gives(language):
    with translation.override(language):
        for name, args in NAMED:
            expected = reverse(name, args=list(args))
            assert urls.reverse(name, args=list(args)) == expected, name
            assert urls.reverse(name, args=list(args)) == expected, name  # remembered
    assert urls.reverse("ledger:kpi", args=["012068", 7]) == "/org/012068/kpi/7/"  # no language


def test_remembered_urls_follow_the_language_and_the_script_prefix():
    with translation.override("en"):
        assert urls.reverse("ledger:report", args=["012068", 2023]) == "/en/org/012068/2023/"
    with translation.override("ja"):
        assert urls.reverse("ledger:report", args=["012068", 2023]) == "/org/012068/2023/"
    set_script_prefix("/ledger/")
    try:
        with translation.override("ja"):
            assert urls.reverse("ledger:report", args=["012068", 2023]) == (
                "/ledger/org/012068/2023/"
            )
    finally:
        set_script_prefix("/")
    with translation.override("ja"):
        assert urls.reverse("ledger:report", args=["012068", 2023]) == "/org/012068/2023/"


def test_remembered_urls_follow_the_url_configuration():
    with translation.override("ja"):
        assert urls.reverse("ledger:home") == "/"
        with override_settings(ROOT_URLCONF="tests.test_publish_speed"):
            assert urls.reverse("ledger:home") == "/other/"


def test_a_url_that_does_not_reverse_fails_every_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            urls.reverse("ledger:kpi", args=["012068", "not-a-number"])


def test_the_table_of_urls_is_bounded(monkeypatch):
    monkeypatch.setattr(urls._known, "limit", 3)
    with translation.override("ja"):
        for kpi_id in range(10):
            assert urls.reverse("ledger:kpi", args=["012068", kpi_id]) == (
                f"/org/012068/kpi/{kpi_id}/"
            )
    assert len(urls._known) <= 3


# A URL configuration of its own for the test above: `ledger:home` elsewhere.
def _view(request):  # pragma: no cover - never called
    raise AssertionError


def _other_patterns():
    from django.urls import include, path

    ledger = ([path("other/", _view, name="home")], "ledger")
    return [path("", include(ledger))]


urlpatterns = _other_patterns()


# --- the folded templates' nodes --------------------------------------------------------------

SOURCE = (
    "{% load i18n %}{% get_current_language as LANG %}{% get_available_languages as LANGS %}"
    "[{{ LANG }}|{% for code, name in LANGS %}{{ code }}={{ name }};{% endfor %}]"
    "[{{ text }}|{{ safe }}|{{ number }}|{{ negative }}|{{ decimal }}|{{ none }}|{{ when }}"
    "|{{ lazy }}|{{ missing }}|{{ flag }}]"
    '[{% url "ledger:kpi" code kpi %}|{% url "ledger:report" code year as there %}{{ there }}]'
    "[{% blocktranslate with year=text %}{{ year }}の評価{% endblocktranslate %}]"
    "[{% blocktranslate count total=number %}全{{ total }}指標{% plural %}全{{ total }}指標"
    "{% endblocktranslate %}]"
)
CONTEXT = {
    "text": 'A & B <i>"q"</i>',
    "safe": mark_safe("<b>safe</b>"),
    "number": 1234567,
    "negative": -5,
    "decimal": Decimal("1234.50"),
    "none": None,
    "when": datetime(2024, 3, 31, 15, 0, tzinfo=UTC),
    "lazy": gettext_lazy("達成"),
    "flag": True,
    "code": "012068",
    "kpi": 7,
    "year": 2023,
}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("thousands", [False, True])
def test_folded_nodes_render_what_djangos_render(language, thousands):
    engine = engines["django"].engine  # type: ignore[attr-defined]
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=thousands):
        plain = engine.from_string(SOURCE).render(Context(CONTEXT, autoescape=True))
        template = engine.from_string(SOURCE)
        Compiled(language)._fold(template.nodelist)
        kinds = {type(node) for node in template.nodelist}
        folded = template.render(Context(CONTEXT, autoescape=True))
        folded_again = template.render(Context(CONTEXT, autoescape=True))
    assert {template_nodes.TextVariableNode, template_nodes.FixedValueNode} <= kinds
    assert {template_nodes.RememberedURLNode, template_nodes.TranslatedBlockNode} <= kinds
    assert folded == plain == folded_again
    assert "A &amp; B &lt;i&gt;&quot;q&quot;&lt;/i&gt;" in folded and "<b>safe</b>" in folded
    assert ("1,234,567" if thousands else "|1234567|") in plain
    assert f"[{language}|ja=" in folded


def test_folded_nodes_render_what_djangos_render_without_autoescape():
    engine = engines["django"].engine  # type: ignore[attr-defined]
    with translation.override("ja"):
        plain = engine.from_string(SOURCE).render(Context(CONTEXT, autoescape=False))
        template = engine.from_string(SOURCE)
        Compiled("ja")._fold(template.nodelist)
        folded = template.render(Context(CONTEXT, autoescape=False))
    assert folded == plain
    assert 'A & B <i>"q"</i>' in folded


class _Plain:
    """An object without `[]`: its attributes, a property, a method, one that alters data."""

    def __init__(self) -> None:
        self.name = "名 & <x>"
        self.inner = {"key": "鍵", "items": ["a", "b"]}
        self.child: _Plain | None = None

    @property
    def broken(self) -> str:
        raise AttributeError("a property that fails")

    @property
    def silent(self) -> str:
        error = RuntimeError("quiet")
        error.silent_variable_failure = True  # type: ignore[attr-defined]
        raise error

    def shout(self) -> str:
        return self.name.upper()

    def delete(self) -> str:
        return "deleted"

    delete.alters_data = True  # type: ignore[attr-defined]


class _Brackets(_Plain):
    def __getitem__(self, key: str) -> str:
        return f"[{key}]"


LOOKUPS = (
    "{% for x in obj.inner.items %}{{ x }}{% endfor %}|{{ obj.name }}|{{ obj.inner.key }}"
    "|{{ obj.inner.items.1 }}|{{ obj.shout }}|{{ obj.delete }}|{{ obj.child.name }}"
    "|{{ obj.child.child }}|{{ obj.missing }}|{{ nothing.at.all }}|{{ obj.silent }}"
    "|{{ brackets.name }}|{{ brackets.inner }}|{{ data.a.b }}|{{ data.a.c }}"
    "|{% if obj.child.name == '子' and not obj.missing %}yes{% endif %}"
    "|{% with n=obj.inner.key %}{{ n }}{% endwith %}|{{ obj.name|length }}"
)


@pytest.mark.parametrize("invalid", ["", "INVALID(%s)"])
def test_plain_lookups_give_what_djangos_lookups_give(invalid):
    engine = engines["django"].engine  # type: ignore[attr-defined]
    parent, child = _Plain(), _Plain()
    child.name = "子"
    parent.child = child
    context = {"obj": parent, "brackets": _Brackets(), "data": {"a": {"b": 1, "c": None}}}
    with override_settings(), translation.override("ja"):
        engine.string_if_invalid = invalid
        try:
            plain = engine.from_string(LOOKUPS).render(Context(context, autoescape=True))
            template = engine.from_string(LOOKUPS)
            Compiled("ja")._fold(template.nodelist)
            folded = template.render(Context(context, autoescape=True))
            with pytest.raises(AttributeError, match="a property that fails"):
                template_with_broken = engine.from_string("{{ obj.broken }}")
                Compiled("ja")._fold(template_with_broken.nodelist)
                template_with_broken.render(Context(context))
        finally:
            engine.string_if_invalid = ""
    variables = [
        node.filter_expression.var
        for node in template.nodelist
        if isinstance(node, template_nodes.TextVariableNode)
    ]
    assert all(type(v) is template_nodes.PlainLookupVariable for v in variables)
    assert folded == plain
    assert "ab|名 &amp; &lt;x&gt;|鍵|b|名 &amp; &lt;X&gt;|" in folded  # `.shout` called
    assert "|[name]|[inner]|1|None|yes|鍵|7" in folded  # `[]` first, as Django does


# --- small files shared as hard links ---------------------------------------------------------


def writer(root: Path) -> SiteWriter:
    return SiteWriter(root, Locator(("en",)), ("ja", "en"))


def test_small_files_with_the_same_bytes_are_one_file(tmp_path):
    site = writer(tmp_path)
    moved = b"<p>moved</p>\n"
    site.write("org/1/kpi/1/index.html", moved)
    site.write("org/1/kpi/2/index.html", moved)
    site.write("en/org/1/kpi/3/index.html", moved)
    site.write("org/1/kpi/4/index.html", b"<p>other</p>\n")
    names = ["org/1/kpi/1/index.html", "org/1/kpi/2/index.html", "en/org/1/kpi/3/index.html"]
    inodes = {(tmp_path / name).stat().st_ino for name in names}
    assert len(inodes) == 1 and (tmp_path / names[0]).stat().st_nlink == 3
    assert all((tmp_path / name).read_bytes() == moved for name in names)
    assert (tmp_path / "org/1/kpi/4/index.html").stat().st_nlink == 1
    assert site.counts.files == 4 and site.counts.bytes == 3 * len(moved) + 13


def test_large_files_are_never_shared(tmp_path):
    site = writer(tmp_path)
    data = b"x" * (SHARED_BYTES + 1)
    site.write("a/index.html", data)
    site.write("b/index.html", data)
    assert (tmp_path / "a/index.html").stat().st_nlink == 1
    assert (tmp_path / "b/index.html").read_bytes() == data


def test_writing_a_shared_name_again_leaves_the_others(tmp_path):
    site = writer(tmp_path)
    site.write("a/index.html", b"same")
    site.write("b/index.html", b"same")
    site.write("a/index.html", b"changed")  # the first of the shared names
    site.write("b/index.html", b"changed too")
    site.write("c/index.html", b"same")
    assert (tmp_path / "a/index.html").read_bytes() == b"changed"
    assert (tmp_path / "b/index.html").read_bytes() == b"changed too"
    assert (tmp_path / "c/index.html").read_bytes() == b"same"
    assert (tmp_path / "c/index.html").stat().st_nlink == 1  # its first file is gone


def test_a_file_there_before_is_replaced_not_written_into(tmp_path):
    (tmp_path / "a").mkdir()
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"keep")
    os.link(outside, tmp_path / "a" / "index.html")
    writer(tmp_path).write("a/index.html", b"new")
    assert (tmp_path / "a/index.html").read_bytes() == b"new"
    assert outside.read_bytes() == b"keep"


def test_unlinking_a_missing_link_changes_one_page_only(tmp_path):
    site = writer(tmp_path)
    page = b'<p><a href="gone/index.html">gone</a></p>\n'
    site.write("a/index.html", page)
    site.write("b/index.html", page)
    (tmp_path / "b" / "gone").mkdir()
    (tmp_path / "b" / "gone" / "index.html").write_bytes(b"here")
    assert unlink_missing(tmp_path) == 1
    assert (tmp_path / "a/index.html").read_bytes() == b"<p><a>gone</a></p>\n"
    assert (tmp_path / "b/index.html").read_bytes() == page


# --- the API's files --------------------------------------------------------------------------


def dumped(adapter: TypeAdapter, value: object) -> str:  # type: ignore[type-arg]
    data = adapter.dump_python(adapter.validate_python(value))
    return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False)


@pytest.mark.django_db
def test_the_plain_models_dump_what_the_schemas_dump():
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import reports
    from kpiledger.web.ledger.tests import factories as f

    f.import_reference()
    org = m.Organization.objects.get(code=f.KUSHIRO[0])
    ledger = reports.load_report(org, 2023, settings.KPILEDGER_NEARLY)
    cases = [
        (s.Summary, records.summary(ledger)),
        (list[s.Project], records.projects(ledger)),
        (list[s.Kpi], records.kpis(ledger)),
        (list[s.ObservationRow], records.observation_rows(ledger)),
        (s.Organization, records.organization(org, [2023])),
        (
            s.OrganizationYears,
            {
                "organization": {"code": org.code, "name": org.name},
                "years": [records.fiscal_year(2023)],
            },
        ),
    ]
    for schema, value in cases:
        expected = dumped(TypeAdapter(schema), value)
        assert dumped(api_files._adapter(schema), value) == expected, schema
    kpis = json.loads(api_files.one_page(s.Kpi, records.kpis(ledger)))
    assert kpis["count"] == 24 == len(kpis["items"])
    assert list(kpis["items"][0]) == list(s.Kpi.model_fields)  # the schema's order


def test_the_plain_models_keep_the_schemas_constraints():
    adapter = api_files._adapter(s.Baseline)
    assert adapter.validate_python({"value": "73.5", "fiscal_year": 2019}).value == "73.5"
    with pytest.raises(ValueError):
        adapter.validate_python({"value": "73,5", "fiscal_year": 2019})  # not a decimal
    with pytest.raises(ValueError):
        api_files._adapter(s.StatusCount).validate_python(
            {"status": "done", "label": {"ja": "x", "en": "x"}, "count": 1}
        )


# --- the garbage collector while publishing ---------------------------------------------------


def test_publishing_collects_less_and_the_collector_is_as_before_afterwards():
    import gc

    from kpiledger.web.static_site import build

    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    with build._quick_run():
        assert gc.get_threshold() == (max(build.COLLECT_EVERY, threshold[0]), *threshold[1:])
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == frozen


# --- Django's per-request state in plain thread locals while publishing -----------------------


def test_plain_locals_carry_the_state_in_and_restore_the_originals_after():
    import threading

    from django.urls import get_script_prefix, get_urlconf, set_urlconf
    from django.utils import timezone

    from kpiledger.web.plain_locals import LOCALS, plain_locals

    originals = [getattr(module, name) for module, name in LOCALS]
    with translation.override("en"):
        set_script_prefix("/ledger/")
        set_urlconf("kpiledger.web.urls")
        timezone.activate("Asia/Tokyo")
        try:
            with plain_locals():
                assert all(type(getattr(mod, n)) is threading.local for mod, n in LOCALS)
                assert translation.get_language() == "en"  # carried in
                assert get_script_prefix() == "/ledger/"
                assert get_urlconf() == "kpiledger.web.urls"
                assert timezone.get_current_timezone_name() == "Asia/Tokyo"
                assert reverse("ledger:nation").startswith("/ledger/en/")
                translation.activate("ja")  # changed within the block only
                set_script_prefix("/other/")
                timezone.activate("UTC")
                assert translation.get_language() == "ja"
                assert translation.gettext("Dashboard") == "Dashboard"  # a catalogue lookup
                assert reverse("ledger:nation") == "/other/nation/"
            assert [getattr(module, name) for module, name in LOCALS] == originals
            assert translation.get_language() == "en"
            assert get_script_prefix() == "/ledger/"
            assert timezone.get_current_timezone_name() == "Asia/Tokyo"
        finally:
            set_script_prefix("/")
            set_urlconf(None)
            timezone.deactivate()


def test_plain_locals_are_restored_when_the_block_fails():
    from kpiledger.web.plain_locals import LOCALS, plain_locals

    originals = [getattr(module, name) for module, name in LOCALS]
    with pytest.raises(RuntimeError), plain_locals():
        raise RuntimeError("disk full")
    assert [getattr(module, name) for module, name in LOCALS] == originals


# --- numbers written once ---------------------------------------------------------------------


def test_remembered_numbers_keep_their_places_and_signs():
    from kpiledger.core.numbers import format_number
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.presenters import formatting

    values = ["73.5", "73.50", "73.5000", "-0", "0", "-12", "1300000", "2300.00", "0.001"]
    for _ in range(2):  # the second time from the table
        for text in values:
            value = Decimal(text)
            assert formatting.number(value) == format_number(value), text
            assert formatting.stored_number(value) == format_number(m.unpad(value)), text
    assert formatting.number(Decimal("73.50")) == "73.50" != formatting.number(Decimal("73.5"))
    assert formatting.stored_number(Decimal("73.5000")) == "73.5"
    assert formatting.number(Decimal("-12")) == "△12" and formatting.number(None) == "-"


def test_without_hard_links_every_file_is_written(tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    site = writer(tmp_path)
    for name in ("a/index.html", "b/index.html", "c/index.html"):
        site.write(name, b"same")
    for name in ("a/index.html", "b/index.html", "c/index.html"):
        assert (tmp_path / name).read_bytes() == b"same"
        assert (tmp_path / name).stat().st_nlink == 1
    assert not site._linking and site.counts.files == 3


# --- remembered answers -------------------------------------------------------------------------


def test_remembered_answers_are_bounded():
    from kpiledger.web.remembered import Remembered

    table: Remembered[int, str] = Remembered(3)
    assert [table.keep(n, str(n)) for n in range(3)] == ["0", "1", "2"]
    assert table == {0: "0", 1: "1", 2: "2"}
    assert table.keep(3, "3") == "3"  # full: emptied first, then kept
    assert table == {3: "3"} and table.get(0) is None


# --- comparisons computed once while publishing --------------------------------------------------


def test_the_national_comparisons_are_computed_once_for_all_their_pages(monkeypatch):
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import nation
    from kpiledger.web.static_site.national import comparisons_remembered

    calls = []

    def counted(organizations=None, year=None, *, reporting_only=True, years=None):
        calls.append((organizations, year, reporting_only, years))
        return nation.Comparison(year, list(years or []), [])

    monkeypatch.setattr(nation, "compare", counted)
    hokkaido = m.Organization.objects.filter(code__startswith="01")
    aomori = m.Organization.objects.filter(code__startswith="02")
    with comparisons_remembered():
        first = nation.compare(None, None, years=[2024, 2023])
        assert nation.compare(None, None, years=[2024, 2023]) is first  # the next page
        assert nation.compare(None, 2023, years=[2024, 2023]) is not first  # another year
        of_hokkaido = nation.compare(hokkaido, None, years=[2024])
        assert nation.compare(hokkaido.all(), None, years=[2024]) is of_hokkaido
        assert nation.compare(aomori, None, years=[2024]) is not of_hokkaido
        nation.compare(None, None, reporting_only=False, years=[])
    assert len(calls) == 5
    assert nation.compare is counted  # as before the block


def test_a_tallys_median_follows_its_rates():
    from kpiledger.web.ledger.services.comparison import Tally

    tally = Tally()
    assert tally.median is None
    tally.rates.extend([Decimal("50"), Decimal("70")])
    assert tally.median == Decimal("60.0")
    other = Tally(rates=[Decimal("100")])
    tally.extend(other)
    assert tally.median == Decimal("70.0")
