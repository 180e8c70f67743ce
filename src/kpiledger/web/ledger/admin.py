"""Staff administration with full change history (django-simple-history)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kpiledger.web.ledger import models as m

# The admin under kpiledger's name (Django's default reads "Django administration"); its
# header also links back to the public pages (templates/admin/base_site.html).
admin.site.site_header = _("KPI実績台帳 管理サイト")
admin.site.site_title = _("KPI実績台帳 管理サイト")
admin.site.index_title = _("台帳の管理")


@admin.register(m.Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "prefecture")
    search_fields = ("code", "name")


@admin.register(m.GrantProgram)
class GrantProgramAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class KpiInline(admin.TabularInline):
    model = m.Kpi
    fields = ("indicator", "unit", "target", "target_year", "target_month", "position")
    extra = 0
    show_change_link = True


@admin.register(m.Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organization", "section", "grant")
    list_filter = ("section", "organization__prefecture")
    list_select_related = ("organization", "grant")
    search_fields = ("name",)
    inlines = [KpiInline]


class ObservationInline(admin.TabularInline):
    model = m.Observation
    fields = ("fiscal_year", "value", "marker", "note")
    extra = 0


@admin.register(m.Kpi)
class KpiAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "project", "unit", "target", "direction_override")
    list_select_related = ("project",)
    search_fields = ("indicator", "project__name")
    inlines = [ObservationInline]


@admin.register(m.ReportedKpi)
class ReportedKpiAdmin(SimpleHistoryAdmin):
    list_display = ("kpi", "fiscal_year", "target", "unit", "published_rate")
    list_select_related = ("kpi",)
    list_filter = ("fiscal_year",)


@admin.register(m.ReportedProject)
class ReportedProjectAdmin(SimpleHistoryAdmin):
    list_display = ("project", "fiscal_year", "effect", "spent", "spent_unit")
    list_select_related = ("project",)
    list_filter = ("fiscal_year",)


@admin.register(m.Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ("kpi", "fiscal_year", "value", "marker")
    list_select_related = ("kpi",)
    list_filter = ("fiscal_year",)


@admin.register(m.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: an import is a record (which file, when, by whom, what it changed)."""

    list_display = (
        "file_name",
        "organization",
        "fiscal_year",
        "status",
        "created_at",
        "created_by",
    )
    list_filter = ("status", "fiscal_year")
    exclude = ("content",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("content")  # the file itself can be large

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
