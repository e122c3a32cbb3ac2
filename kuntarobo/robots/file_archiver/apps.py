from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FileArchiverConfig(AppConfig):
    name = "kuntarobo.robots.file_archiver"
    label = "file_archiver"
    verbose_name = _("File archiver robot (Robot Framework)")

    def ready(self) -> None:
        from kuntarobo.robots.file_archiver import robot  # noqa: F401  (registers the robot)
