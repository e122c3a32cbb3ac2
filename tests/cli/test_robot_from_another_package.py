"""A robot from another package, installed through KUNTAROBO_EXTRA_APPS with no edit of
platform code (tests/plugin_robots/extra_robot, which imports the platform only through the
SDK), gets its staff page, API endpoint, command (listed under its own group in the help) and
the platform's settings page, command and endpoint for the settings schema it declares, and
sends its notices through the platform's e-mail channel to a real SMTP server on loopback.
This robot is the one docs/robots.md builds step by step.

Each check runs in a new process with that environment and a fresh SQLite database, as an
operator's installation would."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.loopback import Mailbox, free_port

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "plugin_robots"

pytestmark = pytest.mark.slow

# Signs in (Django's test client, in the installation's own process) and asks for the robot's
# page and endpoint, and the platform's page of the robot; prints what came back as JSON.
SIGNED_IN_SCRIPT = """
import json

import django

django.setup()

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kuntarobo.accounts.models import Membership, Municipality, Role
from kuntarobo.api.models import ApiToken
from kuntarobo.runtime.models import RobotDeployment

place = Municipality.objects.create(slug="esimerkkila", name_fi="Esimerkkilä")
RobotDeployment.objects.create(municipality=place, robot_slug="extra_robot")  # in use here
users = get_user_model().objects
viewer = users.create_user("viewer")
Membership.objects.create(user=viewer, municipality=place, role=Role.VIEWER)
signed_in, outsider = Client(), Client()
signed_in.force_login(viewer)
outsider.force_login(users.create_user("outsider"))
_, token = ApiToken.issue(viewer, "test")
bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
coordinator = users.create_user("coordinator")
Membership.objects.create(user=coordinator, municipality=place, role=Role.COORDINATOR)
configures = Client()
configures.force_login(coordinator)
settings_page = "/robots/extra_robot/municipal-settings/esimerkkila/"


def answer(response):
    return {
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "location": response.get("Location", ""),
        "text": response.content.decode()[:3000],
    }


print(json.dumps({
    "page": answer(signed_in.get("/robots/extra_robot/hello/")),
    "page, anonymous": answer(Client().get("/robots/extra_robot/hello/")),
    "page, no municipality": answer(outsider.get("/robots/extra_robot/hello/")),
    "catalogue page": answer(signed_in.get("/robots/extra_robot/")),
    "api": answer(Client().get("/api/v1/extra-robot/greeting?name=Ada", **bearer)),
    "api, session": answer(signed_in.get("/api/v1/extra-robot/greeting?name=Ada")),
    "api, no name": answer(Client().get("/api/v1/extra-robot/greeting", **bearer)),
    "api, anonymous": answer(Client().get("/api/v1/extra-robot/greeting?name=Ada")),
    "api, unknown path": answer(Client().get("/api/v1/extra-robot/nothing", **bearer)),
    "api catalogue": answer(Client().get("/api/v1/robots/extra_robot", **bearer)),
    "settings page": answer(configures.get(settings_page)),
    "settings page, viewer": answer(signed_in.get(settings_page)),
    "settings saved": answer(configures.post(settings_page, {"s__salutation": "Hei"})),
    "settings api": answer(configures.get("/api/v1/robots/extra_robot/settings/esimerkkila")),
    "names": [reverse("extra_robot:hello"), reverse("api:extra_robot:greeting")],
}))
"""


def kuntarobo(env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kuntarobo", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of an installation with the extra robot, its database migrated."""
    folder = tmp_path_factory.mktemp("extra-robot")
    python_path = os.pathsep.join(p for p in (str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {
        **os.environ,
        "PYTHONPATH": python_path,
        "KUNTAROBO_EXTRA_APPS": "extra_robot",
        "DATABASE_URL": f"sqlite:///{folder / 'kuntarobo.sqlite3'}",
        "KUNTAROBO_VAR_DIR": str(folder / "var"),
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    migrated = kuntarobo(env, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    return env


@pytest.fixture(scope="module")
def signed_in(installation: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SIGNED_IN_SCRIPT],
        env={**installation, "DJANGO_SETTINGS_MODULE": "kuntarobo.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_package_is_not_part_of_the_platform_nor_importable_without_its_path():
    assert not (Path(__file__).resolve().parents[2] / "kuntarobo" / "extra_robot").exists()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", "import extra_robot"], env=env, capture_output=True, check=False
    )
    assert done.returncode != 0


def test_the_package_imports_the_platform_only_through_the_sdk():
    platform_imports = set()
    for source in (PACKAGE_ROOT / "extra_robot").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                platform_imports.add(node.module)
            elif isinstance(node, ast.Import):
                platform_imports.update(alias.name for alias in node.names)
    platform_imports = {name for name in platform_imports if name.split(".")[0] == "kuntarobo"}
    assert "kuntarobo.sdk.channels" in platform_imports
    outside = {n for n in platform_imports if not n.startswith(("kuntarobo.sdk", "kuntarobo.core"))}
    assert outside == set()


def test_the_robot_is_in_the_catalogue_of_the_command_line(installation):
    listed = kuntarobo(installation, "robots", "list")
    assert listed.returncode == 0, listed.stderr
    assert "extra_robot" in listed.stdout.split()
    shown = kuntarobo(installation, "robots", "show", "extra_robot", "--json")
    assert json.loads(shown.stdout)["slug"] == "extra_robot"


def test_the_robots_command_runs_with_the_platforms_database(installation):
    done = kuntarobo(installation, "extra-robot", "municipalities")
    assert (done.returncode, done.stdout.strip()) == (0, "(none)"), done.stderr


def test_the_robots_fast_command_line_answers_without_starting_django(installation):
    # Django cannot start with these settings: only the app's fast_cli can answer.
    env = {**installation, "DJANGO_SETTINGS_MODULE": "kuntarobo.no_such_settings"}
    done = kuntarobo(env, "extra-robot", "greet", "Ada")
    assert (done.returncode, done.stdout) == (0, "Hello, Ada!\n"), done.stderr
    needs_django = kuntarobo(env, "extra-robot", "municipalities")
    assert needs_django.returncode != 0
    assert "no_such_settings" in needs_django.stderr


def test_the_help_lists_the_robots_command_under_the_robots_own_group(installation):
    done = kuntarobo(installation, "--help")
    assert done.returncode == 0, done.stderr
    groups = done.stdout.split("\n\n")
    robot_group = next(g for g in groups if g.startswith("Robot: Extra robot (extra_robot):"))
    assert robot_group.splitlines()[1].split()[0] == "extra-robot"
    platform = next(g for g in groups if g.startswith("Platform:"))
    assert "extra-robot" not in platform


def test_a_signed_in_user_gets_the_robots_page_under_its_slug(signed_in):
    page = signed_in["page"]
    assert page["status"] == 200, page
    assert "Hello, esimerkkila!" in page["text"]
    assert signed_in["names"][0] == "/robots/extra_robot/hello/"


def test_the_robots_page_asks_a_stranger_to_sign_in_and_refuses_one_without_a_municipality(
    signed_in,
):
    anonymous = signed_in["page, anonymous"]
    assert anonymous["status"] == 302
    assert anonymous["location"].startswith("/login/")
    assert signed_in["page, no municipality"]["status"] == 403


def test_the_platforms_page_of_the_robot_still_answers_beside_the_robots_own(signed_in):
    catalogue = signed_in["catalogue page"]
    assert catalogue["status"] == 200
    assert "Lisärobotti" in catalogue["text"] or "Extra robot" in catalogue["text"]


def test_the_robots_api_endpoint_answers_under_its_prefix(signed_in):
    for key in ("api", "api, session"):
        answer = signed_in[key]
        assert (answer["status"], answer["type"]) == (200, "application/json"), (key, answer)
        assert json.loads(answer["text"]) == {"robot": "extra_robot", "greeting": "Hello, Ada!"}
    assert signed_in["names"][1] == "/api/v1/extra-robot/greeting"
    assert json.loads(signed_in["api catalogue"]["text"])["slug"] == "extra_robot"


def test_the_robots_settings_schema_gets_the_platforms_settings_page(signed_in):
    page = signed_in["settings page"]
    assert page["status"] == 200, page
    assert "Salutation" in page["text"] or "Tervehdyssana" in page["text"]
    assert signed_in["settings page, viewer"]["status"] == 403
    assert signed_in["settings saved"]["status"] == 302, signed_in["settings saved"]
    endpoint = signed_in["settings api"]
    assert (endpoint["status"], endpoint["type"]) == (200, "application/json"), endpoint
    assert '"Hei"' in endpoint["text"]


def test_the_saved_settings_are_read_by_the_platforms_settings_command(installation, signed_in):
    done = kuntarobo(
        installation,
        *("settings", "show", "extra_robot", "--municipality", "esimerkkila"),
        *("--user", "coordinator"),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["salutation"] == "Hei"


def test_the_robots_api_endpoint_has_the_platforms_errors(signed_in):
    bad = signed_in["api, no name"]
    assert bad["status"] == 400
    assert json.loads(bad["text"])["error"]["field"] == "name"
    assert signed_in["api, anonymous"]["status"] == 401
    unknown = signed_in["api, unknown path"]
    assert (unknown["status"], unknown["type"]) == (404, "application/json")


@pytest.fixture(scope="module")
def relay() -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """A real SMTP server on loopback, and the environment that points the platform at it."""
    port = free_port()
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield (
        mailbox,
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "DEFAULT_FROM_EMAIL": "kuntarobo@esimerkkila.fi",
        },
    )
    controller.stop()


def test_the_robots_command_refuses_an_empty_name_with_exit_code_2(installation, signed_in):
    done = kuntarobo(
        installation, "extra-robot", "run", "--municipality", "esimerkkila", "--names", "Ada,,Bo"
    )
    assert done.returncode == 2, done.stderr
    assert "name 2 of 3 is empty" in done.stderr


def test_a_run_from_the_robots_command_mails_a_notice_without_the_name_to_the_set_recipient(
    installation, signed_in, relay
):
    mailbox, smtp_env = relay
    env = {**installation, **smtp_env}
    configured = kuntarobo(
        env,
        *("settings", "set", "extra_robot", "--municipality", "esimerkkila"),
        *("--user", "coordinator", "--partial"),
        *("--set", "recipient=notices@esimerkkila.fi", "--set", "language=sv"),
        *("--set", 'notice={"sv": "Hej på er!"}'),
    )
    assert configured.returncode == 0, configured.stderr
    done = kuntarobo(
        env, "extra-robot", "run", "--municipality", "esimerkkila", "--names", "Ada, Grace"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["status"], summary["items"]["done"], summary["notices"]) == ("finished", 2, 2)
    received = [message for to, message in mailbox.messages if to == ["notices@esimerkkila.fi"]]
    assert len(received) == 2
    for message in received:
        assert message["Subject"] == "Hälsningen är klar"
        assert message["Content-Language"] == "sv"
        assert message["Message-ID"].endswith("@esimerkkila.fi>")
        body = message.get_content()
        assert body.startswith("Hej på er!")
        assert "Ada" not in body  # no personal data in an e-mail
        assert "Grace" not in body
    assert len({message["Message-ID"] for message in received}) == 2
