from django.apps import AppConfig


class ExtraRobotConfig(AppConfig):
    name = "extra_robot"
    label = "extra_robot"
    verbose_name = "Extra robot"

    def ready(self) -> None:
        from extra_robot import robot  # noqa: F401  (registers the robot)
