"""`kuntarobo web`: the port is checked, and the static folder exists before serving."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_the_web_server_creates_the_static_folder_so_whitenoise_has_nothing_to_warn_about(
    settings, tmp_path, monkeypatch
):
    settings.STATIC_ROOT = tmp_path / "var" / "static"
    served: dict[str, Any] = {}
    monkeypatch.setattr("waitress.serve", lambda app, **options: served.update(options))
    call_command("web", "--port", "8123")
    assert settings.STATIC_ROOT.is_dir()
    assert served["port"] == 8123


def test_a_port_that_is_not_a_number_is_refused_by_name():
    with pytest.raises(CommandError, match="port must be a number, not 'http'"):
        call_command("web", "--port", "http")
