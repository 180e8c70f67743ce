from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kpiledger.web.ledger"
    label = "ledger"
    verbose_name = _("KPI実績台帳")

    def ready(self) -> None:
        from kpiledger.web.ledger import signals

        signals.connect()
