from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcecFeesConfig(AppConfig):
    name = "kuntarobo.robots.ecec_fees"
    label = "ecec_fees"
    verbose_name = _("ECEC fee decisions robot")

    def ready(self) -> None:
        from kuntarobo.robots.ecec_fees import robot  # noqa: F401  (registers the robot)
