from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoiceCheckConfig(AppConfig):
    name = "kuntarobo.robots.invoice_check"
    label = "invoice_check"
    verbose_name = _("Purchase invoice check robot")

    def ready(self) -> None:
        from kuntarobo.robots.invoice_check import robot  # noqa: F401  (registers the robot)
