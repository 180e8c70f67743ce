from django.urls import include, path

from kpiledger.web.ledger import staff_urls, views, views_fields, views_nation

app_name = "ledger"

urlpatterns = [
    # Public pages (no login).
    path("", views.home, name="home"),
    path("org/<str:code>/", views.organization, name="organization"),
    path("org/<str:code>/<int:year>/", views.report, name="report"),
    path("org/<str:code>/<int:year>/dashboard/", views.dashboard, name="dashboard"),
    path("org/<str:code>/<int:year>/download/<str:fmt>", views.download, name="download"),
    path("org/<str:code>/kpi/<int:kpi_id>/", views.kpi, name="kpi"),
    # Organizations compared (services/nation.py): the nation, a prefecture, the search.
    path("nation/", views_nation.nation_page, name="nation"),
    path(
        "nation/prefectures.csv", views_nation.nation_prefectures_csv, name="nation_prefectures_csv"
    ),
    path(
        "nation/organizations.csv",
        views_nation.nation_organizations_csv,
        name="nation_organizations_csv",
    ),
    path("pref/<str:key>/", views_nation.prefecture_page, name="prefecture"),
    path("pref/<str:key>/organizations.csv", views_nation.prefecture_csv, name="prefecture_csv"),
    path("search/", views_nation.search_page, name="search"),
    # Category comparison (分野別の比較) across organizations.
    path("fields/", views_fields.fields_index, name="fields"),
    path("field/<str:field>/", views_fields.field, name="field"),
    path("field/<str:field>/csv/<str:table>/", views_fields.field_csv_download, name="field_csv"),
    # Staff pages (login and permission required).
    path("staff/", include(staff_urls)),
]
