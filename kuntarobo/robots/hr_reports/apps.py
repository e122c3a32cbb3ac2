from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrReportsConfig(AppConfig):
    name = "kuntarobo.robots.hr_reports"
    label = "hr_reports"
    verbose_name = _("HR reports robot")

    def ready(self) -> None:
        from kuntarobo.robots.hr_reports import robot  # noqa: F401  (registers the robot)
