"""Opening a fiscal year and setting up its projects and KPIs (issue 10, item 3).

The planning admin (`open_year`, policy.py) opens a year from the one before: a `FiscalYear`
row and a draft `ProjectYear` for every project carried over (not ended before the year).
Projects, KPIs and their targets are carried over by reference: a `Kpi` row is
year-independent, so nothing is retyped. A KPI whose target date (年月) fell in an earlier
fiscal year is shown as closed in the new year (services/locks.kpi_closed) unless its target
is extended when the year is opened (`extend`: a new target and target date, kept in the KPI's
history as 「年度の開始: 目標の更新」).

Within an opened year the planning admin adds projects and KPIs (`add_project`, `add_kpi`;
values typed as reports write them: `１，２００`, `△35`, `R7.3`) and closes or reopens them
(`close_project`, `close_kpi`, `reopen_project`, `reopen_kpi`: their `ended_year`, the last
year they are carried into).

Every function writes in one transaction, with the user and the reason in the history and the
ledger version raised (public page cache); a refusal is a `YearError` with its Japanese and
English reason, and nothing is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kpiledger.core.era import YearMonth, fiscal_year_label, fiscal_year_of, parse_year_month
from kpiledger.core.errors import KpiledgerError
from kpiledger.core.numbers import fits_ledger, format_number, out_of_range, parse_number
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.services.writing import writing

OPEN_REASON = "年度の開始"
EXTEND_REASON = "年度の開始: 目標の更新"
ADD_PROJECT_REASON = "年度の設定: 事業の追加"
ADD_KPI_REASON = "年度の設定: KPIの追加"
CLOSE_PROJECT_REASON = "年度の設定: 事業の終了"
REOPEN_PROJECT_REASON = "年度の設定: 事業の再開"
CLOSE_KPI_REASON = "年度の設定: KPIの終了"
REOPEN_KPI_REASON = "年度の設定: KPIの再開"
FIRST_YEAR, LAST_YEAR = 1926, 2200
BOUNDS = ("", "以上", "超", "以下", "以内", "未満")


class YearError(ValueError):
    """A refused change: the Japanese and English reason (nothing was written)."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en


@dataclass(frozen=True)
class Extension:
    """A KPI's new terms given when a year is opened: target and target date."""

    target: Decimal
    target_year: int
    target_month: int


ExtensionLike = Extension | tuple[Decimal, int, int]


def _label(year: int) -> str:
    return fiscal_year_label(year)


def _save(row: Any, user: Any, reason: str) -> None:
    row._history_user = user
    row._change_reason = reason
    row.save()


# --- reading ---------------------------------------------------------------------------------


def known_years(organization: m.Organization) -> list[int]:
    """The organization's years: opened (`FiscalYear`) or known from an applied import,
    newest first."""
    opened = m.FiscalYear.objects.filter(organization=organization).values_list("year", flat=True)
    return sorted({*opened, *reports.report_years(organization)}, reverse=True)


def carried_projects(organization: m.Organization, year: int) -> QuerySet[m.Project]:
    """The projects carried into `year`: not ended before it."""
    return m.Project.objects.filter(organization=organization).filter(
        Q(ended_year__isnull=True) | Q(ended_year__gte=year)
    )


def carried_kpis(organization: m.Organization, year: int) -> QuerySet[m.Kpi]:
    """The KPIs of the projects carried into `year` that did not end before it (a KPI whose
    target date passed is among them: it is shown closed, or extended)."""
    return (
        m.Kpi.objects.filter(project__in=carried_projects(organization, year))
        .filter(Q(ended_year__isnull=True) | Q(ended_year__gte=year))
        .select_related("project")
        .order_by("project__position", "project_id", "position", "id")
    )


def default_years(organization: m.Organization) -> tuple[int | None, int | None]:
    """The year to open next (the latest + 1) and the year it is opened from (the latest);
    (None, None) for an organization without any year."""
    years = known_years(organization)
    if not years:
        return None, None
    return years[0] + 1, years[0]


def shown(value: Decimal | None) -> str:
    """A value in published style (`1,200`, `73.5`, `△35`), `—` for none."""
    return "—" if value is None else format_number(m.unpad(value))


# --- parsing typed values --------------------------------------------------------------------


def parse_amount(text: str, unit: str = "") -> Decimal:
    """A target or baseline as reports write it (`１，２００`, `△35`, `1.2万`, `73.5%`); a unit
    written with it must be the KPI's. Raises YearError."""
    stripped = text.strip()
    if not stripped:
        raise YearError("値が空です", "the value is blank")
    try:
        parsed = parse_number(stripped)
    except KpiledgerError as error:
        problem = error.problems[0]
        raise YearError(problem.message_ja, problem.message_en) from None
    if parsed.value is None:
        raise YearError(
            f"「{stripped}」は数値ではありません（目標値・基準値には数値が必要です）",
            f"'{stripped}' is not a number (a target or baseline needs one)",
        )
    if parsed.unit and _norm(parsed.unit) != _norm(unit):
        raise YearError(
            f"単位「{parsed.unit}」はこのKPIの単位「{unit}」と違います",
            f"the unit '{parsed.unit}' is not this KPI's unit '{unit}'",
        )
    if not fits_ledger(parsed.value):
        problem = out_of_range(stripped).problems[0]
        raise YearError(problem.message_ja, problem.message_en)
    return parsed.value


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def parse_target_date(text: str) -> YearMonth:
    """A target date 年月 (`R7.3`, `令和7年3月`, `2025-03`, `R6年度末`). Raises YearError."""
    try:
        return parse_year_month(text.strip())
    except KpiledgerError as error:
        problem = error.problems[0]
        raise YearError(problem.message_ja, problem.message_en) from None


# --- opening a year --------------------------------------------------------------------------


def _as_extension(value: ExtensionLike) -> Extension:
    if isinstance(value, Extension):
        return value
    target, year, month = value
    return Extension(Decimal(target), int(year), int(month))


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearError(
            f"{year}年度はありえない範囲です（{FIRST_YEAR}〜{LAST_YEAR}年度のみ）",
            f"FY{year} is out of range ({FIRST_YEAR}-{LAST_YEAR})",
        )


def _locked_organization(organization: m.Organization) -> m.Organization:
    """Inside a transaction: the organization's row locked (serialises opening and setting up
    one organization's years)."""
    return m.Organization.objects.select_for_update().get(pk=organization.pk)


def open_year(
    user: Any,
    organization: m.Organization,
    year: int,
    from_year: int | None = None,
    extend: Mapping[int, ExtensionLike] | None = None,
    close: Iterable[int] = (),
) -> m.FiscalYear:
    """Open `year` for the organization, carrying the projects and KPIs of `from_year` (default:
    the latest earlier year) over. `extend` maps KPI ids to their new target and target date;
    `close` names projects that ended with the year before (`ended_year = year - 1`): they are
    not carried over. Raises PermissionDenied (not the planning admin) or YearError."""
    policy.require(user, Action.OPEN_YEAR, organization)
    _check_year(year)
    extensions = {int(k): _as_extension(v) for k, v in (extend or {}).items()}
    closing = sorted({int(pk) for pk in close})
    with writing(YearError):
        _locked_organization(organization)
        if m.FiscalYear.objects.filter(organization=organization, year=year).exists():
            raise YearError(
                f"{_label(year)}はすでに開始されています",
                f"FY{year} has already been opened",
            )
        if from_year is None:
            earlier = [y for y in known_years(organization) if y < year]
            from_year = earlier[0] if earlier else None
        elif from_year not in known_years(organization):
            raise YearError(
                f"引継ぎ元の年度（{_label(from_year)}）はこの団体にありません",
                f"FY{from_year}, the year to carry over from, is not one of this organization's",
            )
        elif from_year >= year:
            raise YearError(
                f"開始する年度（{_label(year)}）は引継ぎ元の年度（{_label(from_year)}）より後に"
                "してください",
                f"the year opened (FY{year}) must come after the year it is opened from"
                f" (FY{from_year})",
            )
        if closing:
            projects = {
                p.pk: p
                for p in m.Project.objects.select_for_update().filter(
                    organization=organization, pk__in=closing
                )
            }
            if len(projects) != len(closing):
                raise YearError(
                    "この団体の事業ではない事業が指定されました",
                    "a project of another organization was named",
                )
            for project in projects.values():
                if project.ended_year is None or project.ended_year >= year:
                    project.ended_year = year - 1
                    _save(project, user, f"{OPEN_REASON}: 事業の終了（{_label(year - 1)}まで）")
        kpis = {k.pk: k for k in carried_kpis(organization, year).select_for_update()}
        for kpi_id, extension in sorted(extensions.items()):
            kpi = kpis.get(kpi_id)
            if kpi is None:
                raise YearError(
                    "引き継がないKPI（終了した事業・KPI、または別の団体のKPI）に新しい目標は"
                    "設定できません",
                    "a new target was given for a KPI that is not carried over (ended, or of"
                    " another organization)",
                )
            _extend(kpi, extension, year, user)
        fiscal_year = m.FiscalYear(
            organization=organization,
            year=year,
            opened_from=from_year,
            opened_at=timezone.now(),
            opened_by=user if getattr(user, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                _save(fiscal_year, user, OPEN_REASON)
        except IntegrityError:
            raise YearError(
                f"{_label(year)}はすでに開始されています",
                f"FY{year} has already been opened",
            ) from None
        for project in carried_projects(organization, year).order_by("position", "id"):
            row = m.ProjectYear.objects.filter(project=project, fiscal_year=year).first()
            if row is None:
                row = m.ProjectYear(project=project, fiscal_year=year, state=m.WorkState.DRAFT)
                _save(row, user, OPEN_REASON)
        m.LedgerVersion.bump()
    return fiscal_year


def _extend(kpi: m.Kpi, extension: Extension, year: int, user: Any) -> None:
    if not fits_ledger(extension.target):
        problem = out_of_range(str(extension.target)).problems[0]
        raise YearError(
            f"「{kpi.indicator}」: {problem.message_ja}", f"“{kpi.indicator}”: {problem.message_en}"
        )
    if not 1 <= extension.target_month <= 12 or not FIRST_YEAR <= extension.target_year <= 2201:
        raise YearError(
            f"「{kpi.indicator}」: 目標年月が正しくありません",
            f"“{kpi.indicator}”: the target date is not valid",
        )
    due = fiscal_year_of(YearMonth(extension.target_year, extension.target_month))
    if due < year:
        raise YearError(
            f"「{kpi.indicator}」: 新しい目標年月（{extension.target_year}年"
            f"{extension.target_month}月）は{_label(year)}より前です",
            f"“{kpi.indicator}”: the new target date ({extension.target_year}-"
            f"{extension.target_month:02d}) falls before FY{year}",
        )
    kpi.target = extension.target
    kpi.target_year, kpi.target_month = extension.target_year, extension.target_month
    _save(kpi, user, EXTEND_REASON)


# --- setting a year up -----------------------------------------------------------------------


def editable_year(organization: m.Organization, year: int) -> m.FiscalYear:
    """The opened year that projects and KPIs are added to or closed in; YearError when the
    year is not opened, closed or published."""
    fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    if fiscal_year is None:
        raise YearError(
            f"{_label(year)}はまだ開始されていません（年度の一覧から開始します）",
            f"FY{year} has not been opened yet (open it on the years page)",
        )
    if fiscal_year.published_at is not None or fiscal_year.closed_at is not None:
        raise YearError(
            f"{_label(year)}は締め切り・公表済みのため、事業やKPIは変更できません",
            f"FY{year} is closed or published: its projects and KPIs cannot be changed",
        )
    return fiscal_year


def _required(text: str, what_ja: str, what_en: str, limit: int) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise YearError(f"{what_ja}を入力してください", f"enter the {what_en}")
    if len(cleaned) > limit:
        raise YearError(
            f"{what_ja}は{limit}文字までです", f"the {what_en} has at most {limit} characters"
        )
    return cleaned


def add_project(
    user: Any,
    organization: m.Organization,
    year: int,
    name: str,
    section: str,
    grant_name: str = "",
    summary: str = "",
) -> m.Project:
    """A new project of the organization from `year` on (with its draft `ProjectYear`)."""
    policy.require(user, Action.OPEN_YEAR, organization)
    name = _required(name, "事業の名称", "project name", 500)
    if section not in m.Section.values:
        raise YearError("区分を選んでください", "choose the section")
    grant_name = " ".join(grant_name.split())
    if len(grant_name) > 200:
        raise YearError(
            "交付金の名称は200文字までです", "the grant name has at most 200 characters"
        )
    with writing(YearError):
        _locked_organization(organization)
        editable_year(organization, year)
        if m.Project.objects.filter(organization=organization, name=name).exists():
            raise _project_clash(name)
        grant = None
        if grant_name:
            grant, _created = m.GrantProgram.objects.get_or_create(name=grant_name)
        position = (
            m.Project.objects.filter(organization=organization).aggregate(p=Max("position"))["p"]
            or 0
        ) + 1
        project = m.Project(
            organization=organization,
            name=name,
            section=section,
            grant=grant,
            summary=summary.strip(),
            position=position,
        )
        try:
            with transaction.atomic():
                _save(project, user, ADD_PROJECT_REASON)
        except IntegrityError:
            raise _project_clash(name) from None
        _save(
            m.ProjectYear(project=project, fiscal_year=year, state=m.WorkState.DRAFT),
            user,
            ADD_PROJECT_REASON,
        )
        m.LedgerVersion.bump()
    return project


def _project_clash(name: str) -> YearError:
    return YearError(
        f"事業「{name}」はすでにこの団体にあります（事業の名称は団体の中で一つだけです）",
        f"the project “{name}” exists already (a project name is unique in its organization)",
    )


def _kpi_clash(indicator: str, project: m.Project) -> YearError:
    return YearError(
        f"KPI「{indicator}」はすでに事業「{project.name}」にあります",
        f"the KPI “{indicator}” exists already in the project “{project.name}”",
    )


def add_kpi(
    user: Any,
    project: m.Project,
    year: int,
    indicator: str,
    unit: str,
    target: Decimal | str,
    target_bound: str = "",
    target_date: YearMonth | str | None = None,
    baseline: Decimal | str | None = None,
    baseline_year: int | None = None,
) -> m.Kpi:
    """A new KPI of a project carried into `year`. `target` and `baseline` may be typed as
    reports write them (`１，２００`), `target_date` as `R7.3` or `2025-03`."""
    organization = project.organization
    policy.require(user, Action.OPEN_YEAR, organization)
    indicator = _required(indicator, "指標", "indicator", 500)
    unit = " ".join(unit.split())
    if len(unit) > 50:
        raise YearError("単位は50文字までです", "the unit has at most 50 characters")
    target_value = parse_amount(target, unit) if isinstance(target, str) else target
    if not fits_ledger(target_value):
        problem = out_of_range(str(target_value)).problems[0]
        raise YearError(problem.message_ja, problem.message_en)
    if target_bound not in BOUNDS:
        raise YearError("目標値の範囲が正しくありません", "the target's bound is not valid")
    due: YearMonth | None
    if isinstance(target_date, str):
        due = parse_target_date(target_date) if target_date.strip() else None
    else:
        due = target_date
    if due is not None and fiscal_year_of(due) < year:
        raise YearError(
            f"目標年月（{due.year}年{due.month}月）は{_label(year)}より前です",
            f"the target date ({due.iso()}) falls before FY{year}",
        )
    baseline_value: Decimal | None
    if isinstance(baseline, str):
        baseline_value = parse_amount(baseline, unit) if baseline.strip() else None
    else:
        baseline_value = baseline
    if baseline_year is not None:
        _check_year(baseline_year)
    with writing(YearError):
        _locked_organization(organization)
        editable_year(organization, year)
        project = m.Project.objects.get(pk=project.pk)
        if project.ended_year is not None and project.ended_year < year:
            raise YearError(
                f"事業「{project.name}」は{_label(project.ended_year)}で終了しています",
                f"the project “{project.name}” ended in FY{project.ended_year}",
            )
        if m.Kpi.objects.filter(project=project, indicator=indicator).exists():
            raise _kpi_clash(indicator, project)
        position = (
            m.Kpi.objects.filter(project=project).aggregate(p=Max("position"))["p"] or 0
        ) + 1
        kpi = m.Kpi(
            project=project,
            indicator=indicator,
            unit=unit,
            target=target_value,
            target_bound=target_bound,
            target_year=due.year if due else None,
            target_month=due.month if due else None,
            baseline=baseline_value,
            baseline_year=baseline_year,
            position=position,
        )
        try:
            with transaction.atomic():
                _save(kpi, user, ADD_KPI_REASON)
        except IntegrityError:
            raise _kpi_clash(indicator, project) from None
        m.LedgerVersion.bump()
    return kpi


def close_project(user: Any, project: m.Project, last_year: int) -> m.Project:
    """End a project with `last_year` (the last year it is carried into). Its draft project
    years after that are removed; a later year already submitted or further refuses."""
    organization = project.organization
    policy.require(user, Action.OPEN_YEAR, organization)
    _check_year(last_year)
    with writing(YearError):
        _locked_organization(organization)
        project = m.Project.objects.select_for_update().get(pk=project.pk)
        later = m.ProjectYear.objects.filter(project=project, fiscal_year__gt=last_year)
        busy = later.exclude(state=m.WorkState.DRAFT).order_by("fiscal_year").first()
        if busy is not None:
            raise YearError(
                f"事業「{project.name}」は{_label(busy.fiscal_year)}に"
                f"{busy.get_state_display()}のため、それより前には終了できません",
                f"the project “{project.name}” is {busy.state} in FY{busy.fiscal_year}: it cannot"
                " end before that year",
            )
        for row in later:
            row._history_user = user
            row._change_reason = CLOSE_PROJECT_REASON
            row.delete()
        project.ended_year = last_year
        _save(project, user, f"{CLOSE_PROJECT_REASON}（{_label(last_year)}まで）")
        m.LedgerVersion.bump()
    return project


def reopen_project(user: Any, project: m.Project, year: int | None = None) -> m.Project:
    """Carry an ended project on again; with `year` (an opened year), its draft project year
    there is created again."""
    organization = project.organization
    policy.require(user, Action.OPEN_YEAR, organization)
    with writing(YearError):
        _locked_organization(organization)
        if year is not None:
            editable_year(organization, year)
        project = m.Project.objects.select_for_update().get(pk=project.pk)
        if project.ended_year is None:
            raise YearError(
                f"事業「{project.name}」は終了していません",
                f"the project “{project.name}” has not ended",
            )
        project.ended_year = None
        _save(project, user, REOPEN_PROJECT_REASON)
        if (
            year is not None
            and not m.ProjectYear.objects.filter(project=project, fiscal_year=year).exists()
        ):
            _save(
                m.ProjectYear(project=project, fiscal_year=year, state=m.WorkState.DRAFT),
                user,
                REOPEN_PROJECT_REASON,
            )
        m.LedgerVersion.bump()
    return project


def close_kpi(user: Any, kpi: m.Kpi, last_year: int) -> m.Kpi:
    """End a KPI with `last_year` (no values after that year)."""
    organization = kpi.project.organization
    policy.require(user, Action.OPEN_YEAR, organization)
    _check_year(last_year)
    with writing(YearError):
        _locked_organization(organization)
        kpi = m.Kpi.objects.select_for_update().get(pk=kpi.pk)
        kpi.ended_year = last_year
        _save(kpi, user, f"{CLOSE_KPI_REASON}（{_label(last_year)}まで）")
        m.LedgerVersion.bump()
    return kpi


def reopen_kpi(user: Any, kpi: m.Kpi) -> m.Kpi:
    """Carry an ended KPI on again."""
    organization = kpi.project.organization
    policy.require(user, Action.OPEN_YEAR, organization)
    with writing(YearError):
        _locked_organization(organization)
        kpi = m.Kpi.objects.select_for_update().get(pk=kpi.pk)
        if kpi.ended_year is None:
            raise YearError(
                f"KPI「{kpi.indicator}」は終了していません",
                f"the KPI “{kpi.indicator}” has not ended",
            )
        kpi.ended_year = None
        _save(kpi, user, REOPEN_KPI_REASON)
        m.LedgerVersion.bump()
    return kpi


# --- the entry window ------------------------------------------------------------------------

CLOSE_REASON = "入力の締切"
REOPEN_REASON = "入力の再開"


def close_entry(user: Any, organization: m.Organization, year: int) -> m.FiscalYear:
    """Close the year to entry (締切): no department enters values, money or a self-evaluation
    any more (services/locks.py says why); the review, the committee and publishing go on.
    Planning admin only (`open_year`); YearError for a year not opened, published or closed."""
    return _entry_window(user, organization, year, close=True)


def reopen_entry(user: Any, organization: m.Organization, year: int) -> m.FiscalYear:
    """Open a closed year to entry again (before it is published)."""
    return _entry_window(user, organization, year, close=False)


def _entry_window(user: Any, organization: m.Organization, year: int, close: bool) -> m.FiscalYear:
    policy.require(user, Action.OPEN_YEAR, organization)
    with writing(YearError):
        _locked_organization(organization)
        fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
        if fiscal_year is None:
            raise YearError(
                f"{_label(year)}はまだ開始されていません", f"FY{year} has not been opened yet"
            )
        if fiscal_year.published_at is not None:
            raise YearError(
                f"{_label(year)}は公表済みです（公表後の変更は訂正として行います）",
                f"FY{year} is published (later changes are corrections)",
            )
        if close == (fiscal_year.closed_at is not None):
            state_ja, state_en = ("締切済み", "closed") if close else ("受付中", "open")
            raise YearError(
                f"{_label(year)}の入力はすでに{state_ja}です", f"FY{year} is already {state_en}"
            )
        fiscal_year.closed_at = timezone.now() if close else None
        fiscal_year.closed_by = user if close else None
        _save(fiscal_year, user, CLOSE_REASON if close else REOPEN_REASON)
        m.LedgerVersion.bump()
    return fiscal_year
