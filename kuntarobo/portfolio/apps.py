from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "kuntarobo.portfolio"
    label = "portfolio"
    verbose_name = _("Find and measure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kuntarobo.portfolio import signals  # noqa: F401 - connects the receivers
