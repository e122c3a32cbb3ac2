from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneSurveyConfig(AppConfig):
    name = "kuntarobo.robots.phone_survey"
    label = "phone_survey"
    verbose_name = _("Phone survey robot")

    def ready(self) -> None:
        from kuntarobo.robots.phone_survey import robot  # noqa: F401  (registers the robot)
