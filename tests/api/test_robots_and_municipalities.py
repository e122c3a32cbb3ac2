"""The robot catalogue and the caller's municipalities."""

from __future__ import annotations

from kuntarobo.accounts.models import Role
from tests.api.helpers import client_for, error_of
from tests.factories import MembershipFactory


def test_the_robot_list_describes_every_registered_robot(world):
    response = client_for(world.user("viewer")).get("/api/v1/robots")
    assert response.status_code == 200
    robots = {r["slug"]: r for r in response.json()["results"]}
    assert "invoice_check" in robots
    invoice = robots["invoice_check"]
    assert invoice["name"] == {
        "fi": "Ostolaskujen tarkistus",
        "sv": "Granskning av inköpsfakturor",
        "en": "Purchase invoice check",
    }
    assert invoice["class"] == "B"
    assert invoice["manual_minutes_per_item"] == "3"
    assert invoice["accepts_upload"] is True
    assert invoice["schedule"]["cron"] == "0 7 * * *"
    assert [p["name"] for p in invoice["parameters"]] == ["approval_limit", "inbox_folder"]
    assert invoice["parameters"][0]["kind"] == "decimal"
    assert invoice["systems"]
    assert "path" not in invoice


def test_a_robot_is_shown_with_its_path_description(world):
    response = client_for(world.user("viewer")).get("/api/v1/robots/invoice_check")
    assert response.status_code == 200
    path = response.json()["path"]
    assert path["summary"]["en"].startswith("Invoices are read")
    assert [s["actor"] for s in path["steps"]] == ["robot", "robot", "robot", "person", "robot"]
    assert path["human_role"]["fi"]


def test_an_unknown_robot_is_not_found(world):
    response = client_for(world.user("viewer")).get("/api/v1/robots/no_such_robot")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert "no_such_robot" in error_of(response)["message"]


def test_the_caller_sees_its_municipalities_with_roles_and_permissions(world):
    reviewer = world.user("reviewer")
    MembershipFactory(user=reviewer, municipality=world.home.municipality, role=Role.VIEWER)
    response = client_for(reviewer).get("/api/v1/municipalities")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "slug": "esimerkkila",
            "name_fi": "Esimerkkilä",
            "name_sv": "Esimerkkila (sv)",
            "business_id": "",
            "roles": ["reviewer", "viewer"],
            "permissions": ["review", "view", "view_personal_data"],
        }
    ]


def test_a_catalogue_request_with_a_query_parameter_is_refused(world):
    response = client_for(world.user("viewer")).get("/api/v1/robots?lang=fi")
    assert response.status_code == 400
    assert error_of(response)["field"] == "lang"
    assert error_of(response)["code"] == "unknown_parameter"
