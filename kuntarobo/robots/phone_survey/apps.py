from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhoneSurveyConfig(AppConfig):
    name = "kuntarobo.robots.phone_survey"
    label = "phone_survey"
    verbose_name = _("Phone survey robot")

    def ready(self) -> None:
        # The robot, and the "sip" dialler beside the always-present simulated one.
        from kuntarobo.robots.phone_survey import robot, sip_dialler  # noqa: F401
