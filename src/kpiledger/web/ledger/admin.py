"""Staff administration with full change history (django-simple-history), scoped by
organization: every page of ledger data asks policy.py (`admin_change`, which the planning
admin of an organization holds there). A user sees and changes only the rows of their
organizations, and chooses only those organizations (and their projects and KPIs) in forms;
superusers see everything. Django's model permissions play no part; `is_staff` still opens
/admin/ itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kpiledger.core.categories import Category, classify_kpi, classify_project
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action

# The admin under kpiledger's name (Django's default reads "Django administration"); its
# header also links back to the public pages (templates/admin/base_site.html).
admin.site.site_header = _("KPI実績台帳 管理サイト")
admin.site.site_title = _("KPI実績台帳 管理サイト")
admin.site.index_title = _("台帳の管理")


def admin_organizations(request: HttpRequest) -> QuerySet[m.Organization]:
    """The organizations whose data the user may change in the admin."""
    return policy.organizations_for(request.user, Action.ADMIN_CHANGE)


def _organization_of(obj: Model, path: str) -> m.Organization | None:
    """Follow `path` ("project__organization") from obj to its organization."""
    target: Any = obj
    for step in path.split("__"):
        target = getattr(target, step, None)
        if target is None:
            return None
    return target if isinstance(target, m.Organization) else None


def _limit_choices(request: HttpRequest, field: Any, kwargs: dict[str, Any]) -> None:
    """Foreign-key and many-to-many choices of ledger rows: only the user's organizations'."""
    if request.user.is_superuser:
        return
    organizations = admin_organizations(request)
    model = field.related_model
    if model is m.Organization:
        kwargs["queryset"] = organizations
    elif model is m.Project:
        kwargs["queryset"] = m.Project.objects.filter(organization__in=organizations)
    elif model is m.Kpi:
        kwargs["queryset"] = m.Kpi.objects.filter(project__organization__in=organizations)
    elif model is get_user_model():
        # members of the user's organizations, or accounts not yet in any organization
        kwargs["queryset"] = (
            get_user_model()
            .objects.filter(Q(memberships__organization__in=organizations) | Q(memberships=None))
            .distinct()
        )


class _AskThePolicy:
    """Viewing, changing and deleting a row: what `_may` says for its organization (each
    mixin below says how a row finds its organization)."""

    def _may(self, request: HttpRequest, obj: Model | None) -> bool:
        raise NotImplementedError

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request, obj)


class PolicyMixin(_AskThePolicy):
    """has_*_permission and querysets from policy.py, for the organization at
    `organization_path` of each row."""

    organization_path = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.organization_path}__in": admin_organizations(request)})

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """A row outside the user's organizations is not found (404), as if it did not exist
        (Django would redirect to the index instead)."""
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404(
                "見つかりません（あなたの団体のデータではありません） / not found (not your"
                " organization's data)"
            )
        return obj

    def _may(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return bool(request.user.is_superuser or admin_organizations(request).exists())
        organization = _organization_of(obj, self.organization_path)
        return policy.allowed(request.user, Action.ADMIN_CHANGE, organization)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request, None)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may(request, None)  # a new row: may the user change any organization's?

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        _limit_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        _limit_choices(request, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        """Refuse a row of another organization even if a form let it through."""
        organization = _organization_of(obj, self.organization_path)
        policy.require(request.user, Action.ADMIN_CHANGE, organization)
        super().save_model(request, obj, form, change)  # type: ignore[misc]


class InlinePolicyMixin(_AskThePolicy):
    """Inline rows follow their parent's organization (`obj` is the parent)."""

    parent_organization_path = "organization"

    def _may(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return bool(request.user.is_superuser or admin_organizations(request).exists())
        organization = _organization_of(obj, self.parent_organization_path)
        return policy.allowed(request.user, Action.ADMIN_CHANGE, organization)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request, obj)  # obj: the parent row the inline adds to


@admin.register(m.Organization)
class OrganizationAdmin(PolicyMixin, SimpleHistoryAdmin):
    """A planning admin edits their own organization; only superusers add or delete one."""

    organization_path = "pk"
    list_display = ("code", "name", "prefecture")
    search_fields = ("code", "name")

    def _may(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return super()._may(request, None)
        return policy.allowed(request.user, Action.ADMIN_CHANGE, obj)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_superuser and request.user.is_active)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser and request.user.is_active)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not change:
            if not request.user.is_superuser:
                raise PermissionDenied
            SimpleHistoryAdmin.save_model(self, request, obj, form, change)
            return
        policy.require(request.user, Action.ADMIN_CHANGE, obj)  # type: ignore[arg-type]
        SimpleHistoryAdmin.save_model(self, request, obj, form, change)


@admin.register(m.GrantProgram)
class GrantProgramAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Grant types are shared by every organization: planning admins see and add them (for
    their projects); only superusers change or delete one."""

    search_fields = ("name",)

    def _any(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or admin_organizations(request).exists())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._any(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._any(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._any(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser and request.user.is_active)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser and request.user.is_active)


# --- the category (基本目標, 分野) of a project or KPI: inferred, or set with a reason -----------

CATEGORY_FIELDS = ("inferred_category", "goal_override", "field_override", "category_reason")
REASON_NEEDED = (
    "基本目標または分野を指定するときは、その理由を書いてください"
    " / give the reason when you set the goal or the field"
)


class CategoryOverrideForm(forms.ModelForm):  # type: ignore[type-arg]
    """A goal or field set by hand needs its reason (it is shown beside the category)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("goal_override") or data.get("field_override")
        if chosen and not (data.get("category_reason") or "").strip():
            self.add_error("category_reason", REASON_NEEDED)
        return data


class CategoryMixin:
    """The category fields in a section of their own, with the category inferred from the
    words shown read-only beside the override."""

    form = CategoryOverrideForm
    readonly_fields = ("inferred_category",)

    def inferred(self, obj: Any) -> Category:
        raise NotImplementedError

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = self.get_fields(request, obj)  # type: ignore[attr-defined]
        rest = [f for f in fields if f not in CATEGORY_FIELDS]
        return [
            (None, {"fields": rest}),
            (
                "分類（基本目標・分野） / Category (goal, field)",
                {
                    "fields": CATEGORY_FIELDS,
                    "description": "指定がなければ推定された分類を使います。指定するときは理由も"
                    "書いてください / without an override the inferred category is used; an"
                    " override needs its reason",
                },
            ),
        ]

    @admin.display(description="推定された分類 / inferred category")
    def inferred_category(self, obj: Any) -> str | SafeString:
        if obj is None or obj.pk is None:
            return "保存すると表示します / shown once saved"
        c = self.inferred(obj)
        return format_html(
            "{}（{}） / {} ({})<br>{}<br>{}",
            c.field.label_ja,
            c.goal.label_ja,
            c.field.label_en,
            c.goal.label_en,
            c.reason_ja,
            c.reason_en,
        )


class KpiInline(InlinePolicyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = m.Kpi
    fields = ("indicator", "unit", "target", "target_year", "target_month", "position")
    extra = 0
    show_change_link = True
    parent_organization_path = "organization"


@admin.register(m.Project)
class ProjectAdmin(CategoryMixin, PolicyMixin, SimpleHistoryAdmin):
    list_display = ("name", "organization", "section", "grant")
    list_filter = ("section", "organization__prefecture")
    list_select_related = ("organization", "grant")
    search_fields = ("name",)
    inlines = [KpiInline]

    def inferred(self, obj: m.Project) -> Category:
        indicators = [k.indicator for k in obj.kpis.all()]
        return classify_project(obj.name, obj.summary, indicators)


class ObservationInline(InlinePolicyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = m.Observation
    fields = ("fiscal_year", "value", "marker", "note")
    extra = 0
    parent_organization_path = "project__organization"


@admin.register(m.Kpi)
class KpiAdmin(CategoryMixin, PolicyMixin, SimpleHistoryAdmin):
    organization_path = "project__organization"
    list_display = ("indicator", "project", "unit", "target", "direction_override")
    list_select_related = ("project",)
    search_fields = ("indicator", "project__name")
    inlines = [ObservationInline]

    def inferred(self, obj: m.Kpi) -> Category:
        project = obj.project
        return classify_kpi(obj.indicator, obj.unit, project.name, project.summary)


@admin.register(m.ReportedKpi)
class ReportedKpiAdmin(PolicyMixin, SimpleHistoryAdmin):
    organization_path = "kpi__project__organization"
    list_display = ("kpi", "fiscal_year", "target", "unit", "published_rate")
    list_select_related = ("kpi",)
    list_filter = ("fiscal_year",)


@admin.register(m.ReportedProject)
class ReportedProjectAdmin(PolicyMixin, SimpleHistoryAdmin):
    organization_path = "project__organization"
    list_display = ("project", "fiscal_year", "effect", "spent", "spent_unit")
    list_select_related = ("project",)
    list_filter = ("fiscal_year",)


@admin.register(m.Observation)
class ObservationAdmin(PolicyMixin, SimpleHistoryAdmin):
    organization_path = "kpi__project__organization"
    list_display = ("kpi", "fiscal_year", "value", "marker")
    list_select_related = ("kpi",)
    list_filter = ("fiscal_year",)


@admin.register(m.FiscalYear)
class FiscalYearAdmin(PolicyMixin, SimpleHistoryAdmin):
    list_display = ("organization", "year", "opened_at", "closed_at", "published_at")
    list_select_related = ("organization",)
    list_filter = ("year",)


@admin.register(m.ProjectYear)
class ProjectYearAdmin(PolicyMixin, SimpleHistoryAdmin):
    organization_path = "project__organization"
    list_display = ("project", "fiscal_year", "state", "total_cost", "grant_amount", "spent")
    list_select_related = ("project",)
    list_filter = ("fiscal_year", "state")


@admin.register(m.Evaluation)
class EvaluationAdmin(PolicyMixin, SimpleHistoryAdmin):
    organization_path = "project__organization"
    list_display = ("project", "fiscal_year", "step", "effect", "policy", "recorded_by")
    list_select_related = ("project", "recorded_by")
    list_filter = ("fiscal_year", "step")


@admin.register(m.RefusedChange)
class RefusedChangeAdmin(PolicyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a record of what was not saved."""

    organization_path = "project__organization"
    list_display = ("at", "kind", "project", "kpi", "fiscal_year", "attempted", "user")
    list_select_related = ("project", "kpi", "user")
    list_filter = ("kind", "fiscal_year")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class MembershipForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = m.Membership
        fields = ("user", "organization", "role", "projects")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organization, projects = data.get("organization"), data.get("projects")
        if organization is not None and projects:
            others = [p for p in projects if p.organization_id != organization.pk]
            if others:
                raise ValidationError(
                    "担当する事業は、この団体の事業から選んでください"
                    " / the assigned projects must be projects of this organization"
                )
        return data


@admin.register(m.Membership)
class MembershipAdmin(PolicyMixin, SimpleHistoryAdmin):
    """The planning admin of an organization gives its members their roles (department
    editors with their projects, committee members, viewers, other planning admins), never in
    another organization."""

    form = MembershipForm
    list_display = ("user", "organization", "role")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "user__last_name", "user__first_name")
    filter_horizontal = ("projects",)


@admin.register(m.ImportBatch)
class ImportBatchAdmin(PolicyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: an import is a record (which file, when, by whom, what it changed)."""

    list_display = (
        "file_name",
        "organization",
        "fiscal_year",
        "status",
        "created_at",
        "prepared_by",
        "applied_by",
        "discarded_by",
    )
    list_filter = ("status", "fiscal_year")
    exclude = ("content",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer("content")  # the file itself can be large

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
