from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RuntimeConfig(AppConfig):
    name = "kuntarobo.runtime"
    verbose_name = _("Robot runtime")

    def ready(self) -> None:
        from kuntarobo.runtime import storage_roots  # noqa: F401  (registers its system check)
