import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_chosen_on_the_command_line(request):
    expected = {"sqlite": "sqlite", "postgres": "postgresql"}[request.config.getoption("--db")]
    assert connection.vendor == expected
