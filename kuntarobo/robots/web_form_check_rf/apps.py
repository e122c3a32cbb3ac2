from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebFormCheckRfConfig(AppConfig):
    name = "kuntarobo.robots.web_form_check_rf"
    label = "web_form_check_rf"
    verbose_name = _("Web form check robot (Robot Framework, browser)")

    def ready(self) -> None:
        from kuntarobo.robots.web_form_check_rf import robot  # noqa: F401  (registers the robot)
