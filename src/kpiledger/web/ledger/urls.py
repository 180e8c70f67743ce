from django.urls import include, path

from kpiledger.web.ledger import staff_urls, views

app_name = "ledger"

urlpatterns = [
    # Public pages (no login).
    path("", views.home, name="home"),
    path("org/<str:code>/", views.organization, name="organization"),
    path("org/<str:code>/<int:year>/", views.report, name="report"),
    path("org/<str:code>/<int:year>/dashboard/", views.dashboard, name="dashboard"),
    path("org/<str:code>/<int:year>/download/<str:fmt>", views.download, name="download"),
    path("org/<str:code>/kpi/<int:kpi_id>/", views.kpi, name="kpi"),
    # Staff pages (login and permission required).
    path("staff/", include(staff_urls)),
]
