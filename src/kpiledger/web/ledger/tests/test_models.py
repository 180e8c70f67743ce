"""The ledger's models: organization codes, exact decimals, uniqueness, kept history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f

LIMIT = Decimal(10) ** (m.VALUE_DIGITS - m.VALUE_PLACES)  # 10^11: 11 integer digits
STEP = Decimal(1).scaleb(-m.VALUE_PLACES)  # 0.0001
LEDGER_VALUES = st.decimals(
    min_value=-LIMIT + STEP, max_value=LIMIT - STEP, places=m.VALUE_PLACES,
    allow_nan=False, allow_infinity=False,
)  # fmt: skip


# --- organization codes ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["012068", "011002", "130001", "472018"])
def test_valid_organization_codes_pass_full_clean(code):
    m.Organization(code=code, name="団体", prefecture="都道府県").full_clean()


@pytest.mark.django_db
def test_wrong_check_digit_is_refused_with_the_right_code():
    with pytest.raises(ValidationError) as caught:
        m.Organization(code="012067", name="釧路市", prefecture="北海道").full_clean()
    [message] = caught.value.message_dict["code"]
    assert "検査数字" in message and "check digit" in message
    assert "012068" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "why"),
    [("01206", "6桁"), ("01206x", "6桁"), ("482068", "01〜47"), ("002068", "01〜47")],
)
def test_malformed_organization_codes_are_refused(code, why):
    with pytest.raises(ValidationError) as caught:
        m.Organization(code=code, name="団体", prefecture="北海道").full_clean()
    assert why in caught.value.message_dict["code"][0]


@pytest.mark.django_db
def test_organization_code_is_unique():
    f.make_organization()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Organization.objects.create(code="012068", name="別名", prefecture="北海道")


# --- exact decimals --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["73.5", "5516080", "0.1", "0.0001", "-12", "99999999999.9999", "-99999999999.9999",
     "12345678901.2345", "38117", "0"],
)  # fmt: skip
def test_decimal_values_round_trip_exactly(text):
    kpi = f.make_kpi(f.make_project(f.make_organization()), target=Decimal(text))
    m.Observation.objects.create(kpi=kpi, fiscal_year=2023, value=Decimal(text))
    stored = m.Observation.objects.get(kpi=kpi, fiscal_year=2023).value
    assert isinstance(stored, Decimal)
    assert stored == Decimal(text)
    assert m.Kpi.objects.get(pk=kpi.pk).target == Decimal(text)
    assert m.Observation.objects.filter(value=Decimal(text)).count() == 1


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=LEDGER_VALUES)
def test_any_ledger_value_round_trips_exactly(value):
    """Every value the importer accepts (15 digits, 4 places) comes back unchanged."""
    org = m.Organization.objects.first() or f.make_organization()
    kpi = m.Kpi.objects.first() or f.make_kpi(f.make_project(org))
    observation, _ = m.Observation.objects.update_or_create(
        kpi=kpi, fiscal_year=2023, defaults={"value": value}
    )
    stored = m.Observation.objects.get(pk=observation.pk).value
    assert isinstance(stored, Decimal)
    assert stored == value, f"{value} came back as {stored}"


# --- uniqueness ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_project_names_are_unique_per_organization_only():
    kushiro = f.make_organization()
    sapporo = f.make_organization("011002", "札幌市")
    f.make_project(kushiro, "移住促進事業")
    f.make_project(sapporo, "移住促進事業")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_project(kushiro, "移住促進事業")


@pytest.mark.django_db
def test_one_kpi_per_indicator_and_one_observation_per_year():
    kpi = f.make_kpi(f.make_project(f.make_organization()), "移住者数")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_kpi(kpi.project, "移住者数")
    m.Observation.objects.create(kpi=kpi, fiscal_year=2023, value=Decimal(105))
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Observation.objects.create(kpi=kpi, fiscal_year=2023, value=Decimal(106))


# --- history ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_change_is_kept_with_its_reason():
    kpi = f.make_kpi(f.make_project(f.make_organization()), "移住者数", target=Decimal(121))
    observation = m.Observation.objects.create(kpi=kpi, fiscal_year=2023, value=Decimal(105))
    observation.value = Decimal(106)
    observation._change_reason = "担当課の訂正 / correction by the department"
    observation.save()
    newest, oldest = observation.history.order_by("-history_id")
    assert (oldest.value, oldest.history_type) == (Decimal(105), "+")
    assert (newest.value, newest.history_type) == (Decimal(106), "~")
    assert newest.history_change_reason == "担当課の訂正 / correction by the department"
    assert newest.prev_record == oldest
    [delta] = newest.diff_against(oldest).changes
    assert (delta.field, delta.old, delta.new) == ("value", Decimal(105), Decimal(106))


@pytest.mark.django_db
def test_deleting_keeps_the_last_state_in_history():
    org = f.make_organization()
    project = f.make_project(org, "廃止事業")
    project.delete()
    assert not m.Project.objects.exists()
    newest = m.Project.history.order_by("-history_id").first()
    assert (newest.name, newest.history_type) == ("廃止事業", "-")


@pytest.mark.django_db
def test_imported_rows_have_history_with_the_import_reason():
    _, batch = f.import_reference()
    observation = f.observation(f.SATISFACTION, 2023)
    [record] = observation.history.all()
    assert record.value == Decimal("73.5")
    assert record.history_change_reason == f"取込 / import: {batch.file_name}"
    assert record.import_batch_id == batch.pk


# --- text ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_string_forms():
    org = f.make_organization()
    kpi = f.make_kpi(f.make_project(org, "音別地域交流拠点施設整備事業"), f.OTOBETSU_USERS)
    assert str(org) == "釧路市（012068）"
    assert str(kpi.project) == "音別地域交流拠点施設整備事業"
    assert (
        str(m.Observation(kpi=kpi, fiscal_year=2021, marker="-")) == f"{f.OTOBETSU_USERS} 2021: -"
    )
    assert str(m.Observation(kpi=kpi, fiscal_year=2023, value=Decimal("35245"))) == (
        f"{f.OTOBETSU_USERS} 2023: 35245"
    )


@pytest.mark.django_db
def test_the_ledger_version_is_raised_by_one_in_one_statement(django_assert_num_queries):
    assert m.LedgerVersion.current() == 0
    m.LedgerVersion.bump()  # the first raise makes the row
    assert m.LedgerVersion.current() == 1
    with django_assert_num_queries(1) as queries:
        m.LedgerVersion.bump()
    assert "number" in queries.captured_queries[0]["sql"].split("SET", 1)[1]
    assert m.LedgerVersion.objects.get(pk=1).number == m.LedgerVersion.current() == 2
