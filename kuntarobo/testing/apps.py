from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Robots for the runtime's tests and benchmark. Installed only through
    KUNTAROBO_EXTRA_APPS=kuntarobo.testing (worker subprocesses of the tests and the benchmark);
    the pytest process registers the robots per test instead (tests/runtime/conftest.py)."""

    name = "kuntarobo.testing"
    label = "kuntarobo_testing"
    verbose_name = "Test robots"

    def ready(self) -> None:
        from kuntarobo.testing import robots

        robots.register_all()
