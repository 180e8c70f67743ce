from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: its docs page template lives in this app's templates/."""

    name = "kpiledger.web.api"
    label = "kpiledger_api"
    verbose_name = "REST API"
