"""The KPI ledger: organizations, grant programs, projects, KPIs, yearly observations, imports.

Values are exact decimals (DecimalField, 15 significant digits, 4 decimal places: what
SQLite keeps exactly; PostgreSQL's numeric keeps them too). Every change to an organization,
project, KPI or observation is kept with who/when/why by django-simple-history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpiledger.core.categories import Field, Goal
from kpiledger.core.effect import Effect, FuturePolicy
from kpiledger.core.errors import KpiledgerError
from kpiledger.core.numbers import VALUE_DIGITS, VALUE_PLACES
from kpiledger.core.orgcode import normalize_code

# The fiscal years the ledger keeps (昭和元年度 … ): validators, and the staff pages' year bounds.
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1926, 2200
FISCAL_YEAR_RANGE = [MinValueValidator(FIRST_FISCAL_YEAR), MaxValueValidator(LAST_FISCAL_YEAR)]
MONTH_RANGE = [MinValueValidator(1), MaxValueValidator(12)]


def validate_org_code(value: str) -> None:
    try:
        normalize_code(value)
    except KpiledgerError as error:
        problem = error.problems[0]
        raise ValidationError(f"{problem.message_ja} / {problem.message_en}") from None


def unpad(value: Decimal) -> Decimal:
    """A stored value without the database's padding zeros (`73.5000` → `73.5`, `20.0000` →
    `20`): the same number, written as published."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def value_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs)


class Section(models.TextChoices):
    TARGET = "対象事業", _("交付金対象事業")
    RELATED = "関連事業", _("交付金関連事業")


class DirectionChoice(models.TextChoices):
    INCREASE = "increase", _("高いほど良い")
    DECREASE = "decrease", _("低いほど良い")


GOAL_CHOICES = [(goal.value, goal.label_ja) for goal in Goal]
FIELD_CHOICES = [(field.value, field.label_ja) for field in Field]


def category_fields() -> dict[str, models.Field]:  # type: ignore[type-arg]
    """The override of a project's or KPI's category (基本目標, 分野) and the reason for it."""
    return {
        "goal_override": models.CharField(
            _("基本目標（指定）"), max_length=12, choices=GOAL_CHOICES, blank=True
        ),
        "field_override": models.CharField(
            _("分野（指定）"), max_length=12, choices=FIELD_CHOICES, blank=True
        ),
        "category_reason": models.TextField(_("分類の指定の理由"), blank=True),
    }


class AggregationChoice(models.TextChoices):
    ANNUAL = "annual", _("年間値")
    CUMULATIVE = "cumulative", _("累計")
    LEVEL = "level", _("水準（率・割合・平均）")


class EvaluationStep(models.TextChoices):
    """The steps of a project's yearly evaluation, in their order (issue 10, item 7)."""

    SELF = "self", _("自己評価")
    PRIMARY = "primary", _("一次評価")
    COMMITTEE = "committee", _("外部評価")
    FINAL = "final", _("最終判断")


def all_evaluation_steps() -> list[str]:
    return [step.value for step in EvaluationStep]


def validate_evaluation_steps(value: object) -> None:
    known = set(all_evaluation_steps())
    if not isinstance(value, list) or any(step not in known for step in value):
        raise ValidationError(
            f"評価の手順は {', '.join(sorted(known))} の一覧です"
            f" / the evaluation steps are a list of {', '.join(sorted(known))}"
        )


class Organization(models.Model):
    """A local government (地方公共団体), identified by its 6-digit code with check digit."""

    code = models.CharField(
        _("団体コード"), max_length=6, unique=True, validators=[validate_org_code]
    )
    name = models.CharField(_("団体名"), max_length=100)
    prefecture = models.CharField(_("都道府県"), max_length=10, db_index=True)
    kana = models.CharField(_("団体名（かな）"), max_length=100, blank=True)
    kind = models.CharField(
        _("団体の種類"),
        max_length=20,
        blank=True,
        help_text=_("prefecture, designated_city, city, special_ward, town, village"),
    )
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    # The steps of the yearly evaluation this organization runs (a small town may skip one).
    evaluation_steps = models.JSONField(
        _("評価の手順"),
        default=all_evaluation_steps,
        validators=[validate_evaluation_steps],
        help_text=_(
            "self（自己評価）, primary（一次評価）, committee（外部評価）, final（最終判断）"
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = _("団体")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GrantProgram(models.Model):
    """A grant type, e.g. 地方創生拠点整備交付金."""

    name = models.CharField(_("交付金"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = _("交付金")

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One imported file: what, when, by whom, and what it changed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("確認待ち")
        APPLIED = "applied", _("取込済み")
        DISCARDED = "discarded", _("取消")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="imports",
        verbose_name=_("団体"),
        null=True,  # a pending import of an organization not yet in the ledger
        blank=True,
    )
    org_code = models.CharField(_("団体コード（指定）"), max_length=6, blank=True)
    org_name = models.CharField(_("団体名（指定）"), max_length=100, blank=True)
    shown_fingerprint = models.CharField(_("確認画面の変更内容"), max_length=64, blank=True)
    file_name = models.CharField(_("ファイル名"), max_length=255)
    sheet = models.CharField(_("シート名（指定）"), max_length=100, blank=True, default="")
    notes = models.JSONField(_("報告書の注記"), default=list, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content = models.BinaryField(_("内容"), editable=False)
    title = models.CharField(_("表題"), max_length=300, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    summary = models.JSONField(_("変更の概要"), default=dict, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    # Who uploaded it (blank: an import of the command line, or a deleted account).
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prepared_imports",
        verbose_name=_("準備した人"),
    )
    applied_at = models.DateTimeField(_("取込日時"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applied_imports",
        verbose_name=_("取り込んだ人"),
    )
    discarded_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discarded_imports",
        verbose_name=_("取り消した人"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        # The public report years are read from these columns alone (services/nation.py,
        # reports.report_years, comparison.public_in), and when an import was last applied
        # (services/state.py): without them every page read the table, files and all.
        indexes = [
            models.Index(
                fields=["status", "organization", "fiscal_year"], name="importbatch_status_org_year"
            ),
            models.Index(fields=["status", "applied_at"], name="importbatch_status_applied"),
            # A report's heading: its organization's latest applied import of the year
            # (reports.report_heading), found in the index, not by scanning every applied one.
            models.Index(
                fields=["organization", "fiscal_year", "status", "applied_at"],
                name="importbatch_org_year_latest",
            ),
        ]
        verbose_name = verbose_name_plural = _("取込")

    def __str__(self) -> str:
        return f"{self.file_name}（{self.code}, {self.fiscal_year}）"

    @property
    def code(self) -> str:
        """The organization's code (a pending import of a new organization has only org_code)."""
        return self.organization.code if self.organization else self.org_code


class Project(models.Model):
    """A grant project (事業) of one organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="projects", verbose_name=_("団体")
    )
    name = models.CharField(_("事業の名称"), max_length=500)
    section = models.CharField(_("区分"), max_length=10, choices=Section.choices)
    grant = models.ForeignKey(
        GrantProgram, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("交付金")
    )
    summary = models.TextField(_("事業の概要"), blank=True)
    position = models.PositiveIntegerField(_("表示順"), default=0)
    ended_year = models.PositiveSmallIntegerField(
        _("終了年度"),
        null=True,
        blank=True,
        validators=FISCAL_YEAR_RANGE,
        help_text=_("この年度で終了した事業（次の年度からは引き継がない）"),
    )
    goal_override, field_override, category_reason = category_fields().values()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_project_name")
        ]
        verbose_name = verbose_name_plural = _("事業")

    def __str__(self) -> str:
        return self.name


class KpiTerms(models.Model):
    """The terms a KPI is judged by: 単位, 指標値 (target, with its bound 以上/以下 when written),
    年月 (target date), 基準値."""

    unit = models.CharField(_("単位"), max_length=50, blank=True)
    target = value_field(verbose_name=_("指標値（目標値）"))
    target_bound = models.CharField(
        _("目標値の範囲（以上・以下）"),
        max_length=4,
        blank=True,
        choices=[(b, b) for b in ("以上", "超", "以下", "以内", "未満")],
        help_text=_("目標値の後ろに書かれた「以上」「以下」など。高い・低いほど良いかを決めます"),
    )
    target_year = models.PositiveSmallIntegerField(
        _("目標年"), null=True, blank=True, validators=FISCAL_YEAR_RANGE
    )
    target_month = models.PositiveSmallIntegerField(
        _("目標月"), null=True, blank=True, validators=MONTH_RANGE
    )
    baseline = value_field(verbose_name=_("基準値"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(
        _("基準年度"), null=True, blank=True, validators=FISCAL_YEAR_RANGE
    )

    class Meta:
        abstract = True


class Kpi(KpiTerms):
    """A KPI (重要業績評価指標) of a project: indicator and its current terms (target, unit,
    target date, baseline: those of the latest report, or as edited since). Each year's report
    keeps the terms it was published with in `ReportedKpi`."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("事業")
    )
    indicator = models.CharField(_("指標"), max_length=500)
    direction_override = models.CharField(
        _("方向（指定）"), max_length=10, choices=DirectionChoice.choices, blank=True
    )
    aggregation_override = models.CharField(
        _("集計方法（指定）"), max_length=10, choices=AggregationChoice.choices, blank=True
    )
    override_reason = models.TextField(_("指定の理由"), blank=True)
    actuals_are_increments = models.BooleanField(_("累計指標の実績が単年度値"), default=False)
    note = models.TextField(_("備考"), blank=True)
    position = models.PositiveIntegerField(_("表示順"), default=0)
    ended_year = models.PositiveSmallIntegerField(
        _("終了年度"),
        null=True,
        blank=True,
        validators=FISCAL_YEAR_RANGE,
        help_text=_("この年度で終了したKPI（次の年度からは引き継がない）"),
    )
    goal_override, field_override, category_reason = category_fields().values()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "indicator"], name="unique_kpi_indicator")
        ]
        verbose_name = verbose_name_plural = _("KPI")

    def __str__(self) -> str:
        return self.indicator


class Observation(models.Model):
    """The actual (実績値) of a KPI in one fiscal year, or which "no value" marker was published."""

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="observations", verbose_name=_("KPI")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=FISCAL_YEAR_RANGE)
    value = value_field(verbose_name=_("実績値"), null=True, blank=True)
    marker = models.CharField(_("値なしの表記"), max_length=20, blank=True)
    note = models.TextField(_("備考"), blank=True)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("取込")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="unique_observation_year")
        ]
        verbose_name = verbose_name_plural = _("実績値")

    def __str__(self) -> str:
        return f"{self.kpi} {self.fiscal_year}: {self.value if self.value is not None else '-'}"


class ReportedKpi(KpiTerms):
    """A KPI row exactly as one fiscal year's report published it: its terms and its actuals.

    A published report is a record: importing next year's report (new targets, corrected
    actuals) does not change how this year's report reads. The ledger's current values live in
    `Kpi` and `Observation`.
    """

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="reported", verbose_name=_("KPI")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("報告年度"), validators=FISCAL_YEAR_RANGE)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("取込")
    )
    position = models.PositiveIntegerField(_("表示順"), default=0)
    # The project as this report published it (names, sections and summaries change over years).
    project_name = models.CharField(_("事業の名称"), max_length=500)
    section = models.CharField(_("区分"), max_length=10, choices=Section.choices)
    grant_name = models.CharField(_("交付金"), max_length=200, blank=True)
    summary = models.TextField(_("事業の概要"), blank=True)
    note = models.TextField(_("備考"), blank=True)
    published_rate = value_field(verbose_name=_("公表達成率"), null=True, blank=True)
    # The digits as written (`2300.00`, `73.50`): the columns above keep the exact value, padded
    # to 4 places by the database; these keep the published form (blank: rows of older imports).
    target_text = models.CharField(_("指標値（表記）"), max_length=40, blank=True)
    baseline_text = models.CharField(_("基準値（表記）"), max_length=40, blank=True)
    published_rate_text = models.CharField(_("公表達成率（表記）"), max_length=40, blank=True)
    actuals = models.JSONField(
        _("公表された実績値"),
        default=dict,
        help_text=_(
            '年度 → {"value": "73.50"} または {"marker": "-"}（公表された桁のまま10進の文字列で）'
        ),
    )
    reader_flags = models.JSONField(
        _("読み込み時の指摘"),
        default=list,
        blank=True,
        help_text=_("報告書を読んだときの指摘（code, message_ja, message_en）"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="unique_reported_kpi_year")
        ]
        verbose_name = verbose_name_plural = _("報告されたKPI")

    def __str__(self) -> str:
        return f"{self.kpi}（{self.fiscal_year}年度）"


class ReportedProject(models.Model):
    """What one fiscal year's report published about a project beside its KPIs, as published:
    the national form's 実績額, 事業効果, 事業の評価, 外部有識者からの意見 and 今後の方針 (with
    its reason). A row exists only when the report had at least one of them."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reported", verbose_name=_("事業")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("報告年度"), validators=FISCAL_YEAR_RANGE)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("取込")
    )
    effect = models.TextField(_("事業効果（公表）"), blank=True)
    evaluation = models.TextField(_("事業の評価"), blank=True)
    opinion = models.TextField(_("外部有識者からの意見"), blank=True)
    policy = models.TextField(_("今後の方針"), blank=True)
    policy_reason = models.TextField(_("今後の方針の理由"), blank=True)
    spent = value_field(verbose_name=_("実績額"), null=True, blank=True)
    spent_text = models.CharField(_("実績額（表記）"), max_length=40, blank=True)
    spent_unit = models.CharField(_("実績額の単位"), max_length=10, blank=True)
    # Published from the ledger's ProjectYear (in 円); a report read from a file has none.
    total_cost = value_field(verbose_name=_("総事業費（円）"), null=True, blank=True)
    grant_amount = value_field(verbose_name=_("交付金額（円）"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "project__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year"], name="unique_reported_project_year"
            )
        ]
        verbose_name = verbose_name_plural = _("報告された事業の評価")

    def __str__(self) -> str:
        return f"{self.project}（{self.fiscal_year}年度）"


class Role(models.TextChoices):
    """What a member of an organization does there (see policy.py for what each may do)."""

    PLANNING_ADMIN = "planning_admin", _("企画担当")
    DEPARTMENT_EDITOR = "department_editor", _("事業担当課")
    COMMITTEE_MEMBER = "committee_member", _("外部有識者")
    VIEWER = "viewer", _("閲覧")


class Membership(models.Model):
    """A user's role in one organization; a department editor also has the projects assigned
    to them (the only projects they edit). A user has at most one role per organization and
    none elsewhere unless given one there: the memberships are the permissions (policy.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("利用者"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("団体")
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    projects = models.ManyToManyField(
        Project,
        blank=True,
        related_name="editors",
        verbose_name=_("担当する事業"),
        help_text=_("事業担当課が編集できる事業（この団体の事業のみ）"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        ordering = ["organization", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="unique_membership_user_organization"
            )
        ]
        verbose_name = verbose_name_plural = _("所属と役割")

    def __str__(self) -> str:
        return f"{self.user}: {self.organization}（{self.get_role_display()}）"


class WorkState(models.TextChoices):
    """Where a project's year is in the yearly cycle (issue 10, item 5)."""

    DRAFT = "draft", _("入力中")
    SUBMITTED = "submitted", _("提出済み")
    APPROVED = "approved", _("承認済み")
    PUBLISHED = "published", _("公表済み")


def _user_field(related_name: str, verbose_name: str) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class FiscalYear(models.Model):
    """An organization's working year: opened by the planning admin (from the year before,
    carrying its projects, KPIs and targets over), closed to entry, published. A year known
    only from an imported report has a row too (published at its import)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="fiscal_years", verbose_name=_("団体")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=FISCAL_YEAR_RANGE)
    opened_from = models.PositiveSmallIntegerField(
        _("引継ぎ元の年度"), null=True, blank=True, validators=FISCAL_YEAR_RANGE
    )
    opened_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    opened_by = _user_field("opened_years", _("開始した人"))
    closed_at = models.DateTimeField(_("締切日時"), null=True, blank=True)
    closed_by = _user_field("closed_years", _("締め切った人"))
    published_at = models.DateTimeField(_("公表日時"), null=True, blank=True)
    published_by = _user_field("published_years", _("公表した人"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="unique_fiscal_year")
        ]
        verbose_name = verbose_name_plural = _("年度")

    def __str__(self) -> str:
        return f"{self.organization}（{self.year}年度）"


class ProjectYear(models.Model):
    """One project in one fiscal year: its state in the cycle (draft → submitted → approved →
    published), the planning admin's last comment, and its money in 円 (総事業費, 交付金額,
    実績額), each change kept in the history with who, when and why."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="years", verbose_name=_("事業")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=FISCAL_YEAR_RANGE)
    state = models.CharField(
        _("状態"), max_length=10, choices=WorkState.choices, default=WorkState.DRAFT
    )
    comment = models.TextField(_("差戻し・承認のコメント"), blank=True)
    total_cost = value_field(verbose_name=_("総事業費（円）"), null=True, blank=True)
    grant_amount = value_field(verbose_name=_("交付金額（円）"), null=True, blank=True)
    spent = value_field(verbose_name=_("実績額（円）"), null=True, blank=True)
    money_note = models.TextField(_("事業費の備考"), blank=True)
    changed_at = models.DateTimeField(_("更新日時"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "project__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "fiscal_year"], name="unique_project_year")
        ]
        verbose_name = verbose_name_plural = _("事業の年度")

    def __str__(self) -> str:
        return f"{self.project}（{self.fiscal_year}年度, {self.get_state_display()}）"


class Evaluation(models.Model):
    """One step of a project's yearly evaluation (自己評価, 一次評価, 外部評価, 最終判断): the
    effect category chosen at that step, a comment and 今後の方針, with who recorded it and when."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("事業")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=FISCAL_YEAR_RANGE)
    step = models.CharField(_("段階"), max_length=10, choices=EvaluationStep.choices)
    effect = models.CharField(
        _("事業効果"), max_length=40, blank=True, choices=[(e.value, e.value) for e in Effect]
    )
    comment = models.TextField(_("コメント"), blank=True)
    policy = models.CharField(
        _("今後の方針"),
        max_length=40,
        blank=True,
        choices=[(p.value, p.value) for p in FuturePolicy],
    )
    recorded_by = _user_field("evaluations", _("記録した人"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "project__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "step"], name="unique_evaluation_step"
            )
        ]
        verbose_name = verbose_name_plural = _("評価")

    def __str__(self) -> str:
        return f"{self.project}（{self.fiscal_year}年度, {self.get_step_display()}）"


class RefusedChange(models.Model):
    """A change that was not written because someone else changed the same row first
    (optimistic locking): who tried what, when, and what the ledger held then. Kept beside the
    history so that both attempts of two concurrent edits are on record."""

    class Kind(models.TextChoices):
        VALUE = "value", _("実績値")
        MONEY = "money", _("事業費")
        EVALUATION = "evaluation", _("評価")

    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="refused_changes", verbose_name=_("事業")
    )
    kpi = models.ForeignKey(
        Kpi,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="refused_changes",
        verbose_name=_("KPI"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=FISCAL_YEAR_RANGE)
    attempted = models.TextField(_("保存しようとした内容"))
    in_ledger = models.TextField(_("その時の台帳の内容"))
    user = _user_field("refused_changes", _("利用者"))
    at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = _("保存されなかった変更（競合）")

    def __str__(self) -> str:
        return f"{self.project} {self.fiscal_year}: {self.attempted}"


#: Sent (sender: `LedgerVersion`) when this process raised the ledger version: at once, and
#: again when the raising transaction commits.
version_raised = Signal()


class LedgerVersion(models.Model):
    """A counter raised in the same transaction as every change to the ledger: public pages
    rendered at one number stay valid until it moves (see web/page_cache.py)."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("台帳の版")

    @classmethod
    def bump(cls) -> None:
        """Raise the number (inside the caller's transaction), in one statement (`number =
        number + 1`, atomic in the database): an import of many files raises it once per file.
        `version_raised` is sent at once and again when the transaction commits, so that this
        process's page cache reads the new number on its next request (web/page_cache.py)."""
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1, defaults={"number": 1})
        version_raised.send(sender=cls)
        transaction.on_commit(lambda: version_raised.send(sender=cls))

    @classmethod
    def current(cls) -> int:
        """The number, in one plain statement: the page cache reads it often (web/page_cache.py),
        where the ORM's query building would cost ten times the query."""
        from django.db import connection

        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number FROM {table} WHERE id = 1")
            row = cursor.fetchone()
        return int(row[0]) if row else 0


class Judgement(models.Model):
    """A KPI's judgement in one year's report, kept in the ledger: recomputed in the same
    transaction as every change to what it is judged on (services/judgements.py) and by
    `kpiledger rejudge`. `record` holds the whole core result (direction and aggregation with
    their reasons, progress, flags) to rebuild it without judging again; the columns beside it
    are what the national and comparison pages filter, count and sort by."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="judgements")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="judgements"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="judgements")
    fiscal_year = models.PositiveSmallIntegerField(_("報告年度"), validators=FISCAL_YEAR_RANGE)
    position = models.PositiveIntegerField(_("表示順"), default=0)
    status = models.CharField(_("状況"), max_length=20)
    rate = models.DecimalField(
        _("達成率（%）"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True
    )
    judged_year = models.PositiveSmallIntegerField(_("評価した年度"), null=True)
    progress = models.CharField(_("進捗"), max_length=20, blank=True)
    goal = models.CharField(_("基本目標"), max_length=12, choices=GOAL_CHOICES)
    field = models.CharField(_("分野"), max_length=12, choices=FIELD_CHOICES)
    category_reason = models.TextField(_("分類の理由"), blank=True)
    nearly = models.DecimalField(_("概ね達成の基準（%）"), max_digits=6, decimal_places=2)
    record = models.JSONField(_("評価の全体"))
    judged_at = models.DateTimeField(_("評価日時"), auto_now=True)

    class Meta:
        ordering = ["organization", "fiscal_year", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="unique_judgement")
        ]
        indexes = [
            models.Index(fields=["organization", "fiscal_year"], name="judgement_org_year"),
            models.Index(fields=["fiscal_year", "status"], name="judgement_year_status"),
            # The national counts per organization and status (services/nation.py) and a
            # field's rows (services/comparison.py; it replaced `judgement_year_field`, its
            # first two columns) are read from these columns alone, not from the rows.
            models.Index(
                fields=["fiscal_year", "organization", "status"], name="judgement_year_org_status"
            ),
            models.Index(
                fields=["fiscal_year", "field", "organization", "status", "rate"],
                name="judgement_year_field_rates",
            ),
        ]
        verbose_name = verbose_name_plural = _("評価（保存）")

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.fiscal_year}: {self.status}"


class ProjectJudgement(models.Model):
    """A project's judgement in one year's report (the suggested 事業効果 with its reason, the
    project's flags and category), kept beside its KPIs' `Judgement`s."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="year_judgements")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="project_judgements"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("報告年度"), validators=FISCAL_YEAR_RANGE)
    effect_suggestion = models.CharField(_("事業効果（判定）"), max_length=20, blank=True)
    effect_reason_ja = models.TextField(_("判定の理由"), blank=True)
    effect_reason_en = models.TextField(_("判定の理由（英語）"), blank=True)
    flags = models.JSONField(_("注意"), default=list, blank=True)
    goal = models.CharField(_("基本目標"), max_length=12, choices=GOAL_CHOICES)
    field = models.CharField(_("分野"), max_length=12, choices=FIELD_CHOICES)
    category_reason = models.TextField(_("分類の理由"), blank=True)
    judged_at = models.DateTimeField(_("評価日時"), auto_now=True)

    class Meta:
        ordering = ["organization", "fiscal_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year"], name="unique_project_judgement"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "fiscal_year"], name="project_judgement_org_year")
        ]
        verbose_name = verbose_name_plural = _("事業の評価（保存）")

    def __str__(self) -> str:
        return f"{self.project_id} {self.fiscal_year}: {self.effect_suggestion}"
