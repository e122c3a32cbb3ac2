"""Submitting a robot's input the way a caller does, and reading the outcome: ONE place, so the
fuzz tests of every robot keep asserting the same thing when the API's answer changes shape
(e.g. 202 with the input read in the background: adapt `submit_upload` only)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, settings

from kuntarobo.accounts.models import Role
from kuntarobo.api.models import ApiToken
from kuntarobo.runtime.models import Run
from tests.factories import user_with_role
from tests.runtime.helpers import read_inputs

# Bounded and deterministic: the same examples on every run, a few minutes on two cores.
settings.register_profile(
    "fuzz",
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
FUZZ = settings.get_profile("fuzz")


@dataclass(frozen=True)
class Outcome:
    """What became of an input: "accepted", or "refused" with the message and the field."""

    status: str
    message: str = ""
    field: str | None = None


def token_client(municipality, role: str = Role.DEVELOPER) -> Client:
    """An API client with a bearer token of a user holding `role` in the municipality."""
    _, secret = ApiToken.issue(user_with_role(role, municipality), "fuzz")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def submit_upload(
    client: Client,
    municipality_slug: str,
    robot: str,
    filename: str,
    content: bytes,
    parameters: str = "{}",
) -> Outcome:
    """POST /api/v1/runs with the file. A 500 or any answer that is not a refusal naming its
    field or a created run fails the test here."""
    response = client.post(
        "/api/v1/runs",
        {
            "municipality": municipality_slug,
            "robot": robot,
            "parameters": parameters,
            "file": SimpleUploadedFile(filename, content),
        },
    )
    assert response.status_code in (202, 400), (response.status_code, response.content[:2000])
    body = response.json()
    if response.status_code == 400:  # checked before anything is stored
        error = body["error"]
        assert error["message"], error
        assert "Traceback" not in error["message"], error
        return Outcome("refused", error["message"], error["field"])
    # 202: the input is read by a worker (actions.produce_run, as the queue's task runs it); the
    # run then says what became of it. A reading that crashed ("failed") is what a 500 was.
    read_inputs()
    run = client.get(f"/api/v1/runs/{body['id']}").json()
    assert run["status"] in ("running", "finished", "refused"), run
    if run["status"] != "refused":
        return Outcome("accepted")
    # A refused input leaves nothing of itself behind: its file is deleted with the refusal.
    assert not Run.objects.get(pk=body["id"]).input_file, run
    refusal = run["refusal"]
    assert refusal["message"], run
    assert "Traceback" not in refusal["message"], run
    return Outcome("refused", refusal["message"], refusal["field"] or None)


def run_command(*args: str) -> Outcome:
    """A CLI command in this process: exit 2 (CommandError) is a refusal with its message;
    any other exception propagates and fails the test."""
    out = io.StringIO()
    refusal: CommandError | None = None
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        refusal = error
    if refusal is None:
        return Outcome("accepted", out.getvalue())
    assert refusal.returncode == 2, (refusal.returncode, str(refusal))
    assert "Traceback" not in str(refusal)
    return Outcome("refused", str(refusal))
