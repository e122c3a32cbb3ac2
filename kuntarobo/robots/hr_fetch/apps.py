from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrFetchConfig(AppConfig):
    name = "kuntarobo.robots.hr_fetch"
    label = "hr_fetch"
    verbose_name = _("HR export fetch robot")

    def ready(self) -> None:
        from kuntarobo.robots.hr_fetch import robot  # noqa: F401  (registers the robot)
