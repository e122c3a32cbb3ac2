"""Bearer tokens and sessions: who is let in, and CSRF only for session callers."""

from __future__ import annotations

import json

from django.test import Client

from kuntarobo.api.models import ApiToken
from kuntarobo.runtime.models import ItemStatus
from tests.api.helpers import error_of


def bearer(token: str) -> Client:
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})


def test_a_token_authenticates_its_user_and_records_its_use(world):
    token, secret = ApiToken.issue(world.user("viewer"), "reporting")
    response = bearer(secret).get("/api/v1/municipalities")
    assert response.status_code == 200
    assert response.json()["results"][0]["roles"] == ["viewer"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_caller_needs_no_csrf_token_to_change_state(world):
    _, secret = ApiToken.issue(world.user("reviewer"), "integration")
    response = bearer(secret).post(
        "/api/v1/items/approve",
        json.dumps({"ids": [world.home.waiting.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    world.home.waiting.refresh_from_db()
    assert world.home.waiting.status == ItemStatus.APPROVED


def test_a_revoked_token_is_refused(world):
    token, secret = ApiToken.issue(world.user("viewer"), "old")
    token.revoked = True
    token.save()
    response = bearer(secret).get("/api/v1/runs")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_an_unknown_token_is_refused_even_with_a_valid_session(world):
    client = bearer("kr_not-a-token")
    client.force_login(world.user("viewer"))
    response = client.get("/api/v1/runs")
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_the_token_of_a_deactivated_user_is_refused(world):
    user = world.user("viewer")
    _, secret = ApiToken.issue(user, "leaver")
    user.is_active = False
    user.save()
    assert bearer(secret).get("/api/v1/runs").status_code == 401


def test_an_anonymous_caller_is_told_how_to_authenticate(world):
    response = Client().get("/api/v1/runs")
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "not_authenticated"
    assert "Bearer" in error["message"]


def test_a_session_caller_must_send_the_csrf_token_to_change_state(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("reviewer"))
    body = json.dumps({"ids": [world.home.waiting.pk]})
    refused = client.post("/api/v1/items/approve", body, content_type="application/json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "csrf_failed"
    world.home.waiting.refresh_from_db()
    assert world.home.waiting.status == ItemStatus.NEEDS_REVIEW

    secret = "kuntarobo0csrf0secret0of0length32"[:32]
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        "/api/v1/items/approve",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert accepted.status_code == 200
    assert accepted.json()["done"] == [world.home.waiting.pk]


def test_a_session_caller_may_read_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("viewer"))
    assert client.get("/api/v1/items").status_code == 200


def test_an_unknown_api_path_answers_with_a_json_404(world):
    client = Client()
    client.force_login(world.user("viewer"))
    response = client.get("/api/v1/runs/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
