"""`kuntarobo tokens create | list | revoke`."""

from __future__ import annotations

import pytest
from django.test import Client

from kuntarobo.api.models import ApiToken, hash_token
from kuntarobo.audit.models import AuditEvent


def test_a_token_is_printed_once_and_lets_its_user_in(cli, world):
    result = cli("tokens", "create", "--user", "viewer", "--name", "reporting")
    assert result.code == 0, result.err
    secret = result.out.strip()
    assert secret.startswith("kr_")
    assert "not shown again" in result.err
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.token_hash) == (
        world.user("viewer"),
        "reporting",
        hash_token(secret),
    )
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/municipalities")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="token.create")
    assert event.via == "cli"
    assert secret not in str(event.details)


def test_tokens_are_listed_without_the_secret(cli, world):
    first = cli("tokens", "create", "--user=viewer", "--name=first").out.strip()
    cli("tokens", "create", "--user=viewer", "--name=second")
    cli("tokens", "create", "--user=reviewer", "--name=not listed")
    result = cli("tokens", "list", "--user", "viewer")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "CREATED", "LAST", "USED", "STATUS"]
    assert [line.split()[1] for line in lines[1:]] == ["first", "second"]
    assert all(line.rstrip().endswith("active") for line in lines[1:])
    assert first not in result.out


def test_a_revoked_token_no_longer_works(cli, world):
    secret = cli("tokens", "create", "--user=viewer", "--name=old").out.strip()
    token = ApiToken.objects.get()
    result = cli("tokens", "revoke", str(token.pk))
    assert result.code == 0
    assert "revoked" in result.out
    token.refresh_from_db()
    assert token.revoked
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/runs")
    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1
    again = cli("tokens", "revoke", str(token.pk))
    assert (again.code, "already revoked" in again.out) == (0, True)
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1
    assert "revoked" in cli("tokens", "list", "--user=viewer").out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create", "--user=nobody", "--name=x"], "unknown user 'nobody'"),
        (["create", "--user=viewer", "--name= "], "--name"),
        (["create", "--user=viewer", f"--name={'x' * 101}"], "--name"),
        (["create", "--name=x"], "--user"),
        (["list", "--user=nobody"], "unknown user"),
        (["revoke", "abc"], "whole number"),
        (["revoke", "424242"], "no token 424242"),
        (["rotate"], "invalid choice"),
    ],
)
def test_bad_input_exits_with_2_and_changes_nothing(cli, world, argv, message):
    tokens, events = ApiToken.objects.count(), AuditEvent.objects.count()
    result = cli("tokens", *argv)
    assert result.code == 2
    assert message in result.err
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == (tokens, events)
