"""Who may call what: every URL pattern and method of the API, for every role, an anonymous
caller and the administrator of another municipality. The patterns are read from the resolver,
so an endpoint added without a case here makes the first test fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLResolver, get_resolver, reverse

from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import mounting
from kuntarobo.runtime.declarations import all_robots
from kuntarobo.runtime.models import ItemStatus, RobotSettings, Run, WorkItem
from tests.api.helpers import ROLES, World, client_for, error_of, send
from tests.runtime.helpers import open_review_sample

CALLERS = [*(str(r) for r in ROLES), "anonymous", "neighbour"]
REVIEWERS = {"administrator", "reviewer"}
RUNNERS = {"administrator", "coordinator", "developer"}
CONFIGURERS = {"administrator", "coordinator"}
PERSONAL = {"administrator", "coordinator", "reviewer"}


@dataclass
class Case:
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], Any] | None = None
    check: Callable[[World, str, Any], None] | None = None


def statuses(default: int, anonymous: int = 401, **special: int) -> dict[str, int]:
    table = dict.fromkeys(CALLERS, default)
    table["anonymous"] = anonymous
    table.update(special)
    return table


def only(allowed: set[str], ok: int, neighbour: int, denied: int = 403) -> dict[str, int]:
    table = {str(role): ok if str(role) in allowed else denied for role in ROLES}
    return {**table, "anonymous": 401, "neighbour": neighbour}


def own_municipalities(world: World, caller: str) -> tuple[str, str]:
    """(slug the caller belongs to, slug it must never see)."""
    if caller == "neighbour":
        return world.other.municipality.slug, world.home.municipality.slug
    return world.home.municipality.slug, world.other.municipality.slug


def check_listing(world: World, caller: str, response: Any) -> None:
    if response.status_code != 200:
        return
    own, _ = own_municipalities(world, caller)
    slugs = {row["municipality"] for row in response.json()["results"]}
    assert slugs == {own}


def check_municipalities(world: World, caller: str, response: Any) -> None:
    own, _ = own_municipalities(world, caller)
    assert [m["slug"] for m in response.json()["results"]] == [own]


def check_item_detail(world: World, caller: str, response: Any) -> None:
    body = response.json()
    assert body["personal_data_shown"] is (caller in PERSONAL)
    assert ("payload" in body) is (caller in PERSONAL)
    views = AuditEvent.objects.filter(action="item.view", object_id=str(world.home.waiting.pk))
    assert views.count() == (1 if caller in PERSONAL else 0)


def check_review(item: Callable[[World], WorkItem], changed_to: str) -> Callable[..., None]:
    def check(world: World, caller: str, response: Any) -> None:
        target = item(world)
        before = target.status
        target.refresh_from_db()
        if caller in REVIEWERS:
            assert response.json() == {"done": [target.pk], "refused": {}}
            assert target.status == changed_to
        else:
            assert target.status == before
            if caller == "neighbour":
                assert response.json() == {
                    "done": [],
                    "refused": {str(target.pk): f"no such work item: {target.pk}"},
                }

    return check


def home_resting(world: World) -> WorkItem:
    """A home item a robot left waiting for an outside event, made on first use."""
    if "resting" not in world.__dict__:
        world.__dict__["resting"] = WorkItem.objects.create(
            run=world.home.run,
            municipality=world.home.municipality,
            robot_slug=world.home.run.robot_slug,
            reference="waiting-for-a-reply",
            status=ItemStatus.WAITING,
        )
    return world.__dict__["resting"]


def check_unflagged(world: World, caller: str, response: Any) -> None:
    target = world.home.waiting
    target.refresh_from_db()
    if caller in REVIEWERS:
        assert response.json() == {"done": [target.pk], "refused": {}}
        assert target.status == ItemStatus.APPROVED
        assert AuditEvent.objects.filter(action="items.approve_unflagged").count() == 1
    else:
        assert target.status == ItemStatus.NEEDS_REVIEW
        if caller == "neighbour":  # its own proposal came after the id it was given
            assert response.json() == {"done": [], "refused": {}}


def check_started(world: World, caller: str, response: Any) -> None:
    if caller in RUNNERS:
        run = Run.objects.get(pk=response.json()["id"])
        assert (run.municipality, run.trigger) == (world.home.municipality, "api")
        assert AuditEvent.objects.filter(action="run.start", via="api").count() == 1
    else:
        assert Run.objects.count() == 2
        assert not AuditEvent.objects.filter(action="run.start", via="api").exists()


def check_audit(world: World, caller: str, response: Any) -> None:
    check_listing(world, caller, response)


def check_export(world: World, caller: str, response: Any) -> None:
    if response.status_code != 200:
        assert not AuditEvent.objects.filter(action="audit.export").exists()
        return
    text = b"".join(response.streaming_content).decode()
    own, foreign = own_municipalities(world, caller)
    assert f",{own}," in text
    assert f",{foreign}," not in text
    exports = AuditEvent.objects.filter(action="audit.export")
    assert [e.municipality.slug for e in exports] == [own]


def check_settings_saved(world: World, caller: str, response: Any) -> None:
    saved = RobotSettings.objects.filter(robot_slug="hr_reports")
    if caller in CONFIGURERS:
        assert response.json()["values"]["discussion_spells"] == 4
        assert saved.count() == 1
    else:
        assert not saved.exists()


def start_body(world: World) -> dict[str, Any]:
    return {
        "municipality": "esimerkkila",
        "robot": "invoice_check",
        "parameters": {"inbox_folder": "inbox"},
    }


def home_waiting(world: World) -> WorkItem:
    return world.home.waiting


def home_failed(world: World) -> WorkItem:
    return world.home.failed


def home_case(world: World) -> Any:
    """A business case of the home municipality, made on first use."""
    if "case" not in world.__dict__:
        from kuntarobo.portfolio.business_cases import save_business_case

        world.__dict__["case"] = save_business_case(
            "test", world.home.municipality, business_case_body("Laskujen robotti"), via="test"
        )
    return world.__dict__["case"]


def business_case_body(title: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "start_year": 2021,
        "horizon_year": 2026,
        "years": [{"year": 2021, "development_cost": 1000, "gross_benefit": 600}],
    }
    return body if title is None else {"title": title, **body}


def check_case_listing(world: World, caller: str, response: Any) -> None:
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([] if caller == "neighbour" else [home_case(world).pk])


def check_case_saved(world: World, caller: str, response: Any) -> None:
    from kuntarobo.portfolio.models import BusinessCase

    titles = set(BusinessCase.objects.values_list("title", flat=True))
    assert ("Muutettu" in titles) is (caller in CONFIGURERS and response.status_code == 200)


def home_asset(world: World) -> Any:
    """A credential in the home municipality's vault (made once per world)."""
    if "asset" not in world.__dict__:
        from tests.factories import AssetFactory

        world.__dict__["asset"] = AssetFactory(
            municipality=world.home.municipality, name="talous", credential=True
        )
    return world.__dict__["asset"]


def check_vault_listing(world: World, caller: str, response: Any) -> None:
    home_asset(world)
    own, _ = own_municipalities(world, caller)
    assert {row["municipality"] for row in response.json()["results"]} <= {own}
    assert "Salainen" not in response.content.decode()


ADMINISTRATORS = {"administrator"}
LISTING = statuses(200)
UNKNOWN = statuses(404)

ECEC_FAMILY = {
    "size": 3,
    "incomes": [{"amount": 600000}],
    "children": [{"id": "a", "birth_date": "2022-05-01"}, {"id": "b", "birth_date": "2020-05-01"}],
}

CASES: dict[tuple[str, str], Case] = {
    ("robots", "GET"): Case("GET", lambda w: "/api/v1/robots", statuses(200)),
    ("robot", "GET"): Case("GET", lambda w: "/api/v1/robots/invoice_check", statuses(200)),
    ("robot-settings", "GET"): Case(
        "GET",
        lambda w: "/api/v1/robots/hr_reports/settings/esimerkkila",
        only(CONFIGURERS, 200, neighbour=404),
    ),
    ("robot-settings", "PUT"): Case(
        "PUT",
        lambda w: "/api/v1/robots/hr_reports/settings/esimerkkila",
        only(CONFIGURERS, 200, neighbour=404),
        body=lambda w: {"values": {"discussion_spells": 4}, "partial": True},
        check=check_settings_saved,
    ),
    ("municipalities", "GET"): Case(
        "GET", lambda w: "/api/v1/municipalities", LISTING, check=check_municipalities
    ),
    ("runs", "GET"): Case("GET", lambda w: "/api/v1/runs", LISTING, check=check_listing),
    ("runs", "POST"): Case(
        "POST",
        lambda w: "/api/v1/runs",
        only(RUNNERS, 202, neighbour=400),
        body=start_body,
        check=check_started,
    ),
    ("run", "GET"): Case(
        "GET", lambda w: f"/api/v1/runs/{w.home.run.pk}", statuses(200, neighbour=404)
    ),
    ("items", "GET"): Case("GET", lambda w: "/api/v1/items", LISTING, check=check_listing),
    ("item", "GET"): Case(
        "GET",
        lambda w: f"/api/v1/items/{w.home.waiting.pk}",
        statuses(200, neighbour=404),
        check=lambda w, c, r: r.status_code == 200 and check_item_detail(w, c, r),
    ),
    ("items-approve", "POST"): Case(
        "POST",
        lambda w: "/api/v1/items/approve",
        only(REVIEWERS, 200, neighbour=200),
        body=lambda w: {"ids": [w.home.waiting.pk], "note": "ok"},
        check=check_review(home_waiting, ItemStatus.APPROVED),
    ),
    ("items-reject", "POST"): Case(
        "POST",
        lambda w: "/api/v1/items/reject",
        only(REVIEWERS, 200, neighbour=200),
        body=lambda w: {"ids": [w.home.waiting.pk], "reason": "duplicate invoice"},
        check=check_review(home_waiting, ItemStatus.REJECTED),
    ),
    ("items-retry", "POST"): Case(
        "POST",
        lambda w: "/api/v1/items/retry",
        only(REVIEWERS, 200, neighbour=200),
        body=lambda w: {"ids": [w.home.failed.pk], "note": "supplier fixed the IBAN"},
        check=check_review(home_failed, ItemStatus.NEW),
    ),
    ("items-abandon", "POST"): Case(
        "POST",
        lambda w: "/api/v1/items/abandon",
        only(REVIEWERS, 200, neighbour=200),
        body=lambda w: {"ids": [w.home.waiting.pk], "reason": "paid by hand"},
        check=check_review(home_waiting, ItemStatus.ABANDONED),
    ),
    ("items-resume", "POST"): Case(
        "POST",
        lambda w: "/api/v1/items/resume",
        only(REVIEWERS, 200, neighbour=200),
        body=lambda w: {"ids": [home_resting(w).pk], "payload": {"answered": True}},
        check=check_review(home_resting, ItemStatus.NEW),
    ),
    ("items-approve-unflagged", "POST"): Case(
        "POST",
        lambda w: "/api/v1/items/approve-unflagged",
        only(REVIEWERS, 200, neighbour=200),
        # Reviewers open their random sample first (meaningful review); others have none.
        body=lambda w: (
            open_review_sample(list(w.users.values()), w.home.waiting.pk),
            {"up_to": w.home.waiting.pk},
        )[1],
        check=check_unflagged,
    ),
    ("item-correct", "POST"): Case(
        "POST",
        lambda w: f"/api/v1/items/{w.home.waiting.pk}/correct",
        only(REVIEWERS, 200, neighbour=404),
        body=lambda w: {"corrections": {"payment_date": "2030-02-01"}, "note": "agreed"},
        check=check_review(home_waiting, ItemStatus.APPROVED),
    ),
    ("ecec_fees:calculate", "POST"): Case(
        "POST",
        lambda w: "/api/v1/ecec-fees/calculate",
        statuses(200),
        body=lambda w: {"date": "2025-01-15", "family": ECEC_FAMILY},
    ),
    ("portfolio-business-case", "POST"): Case(
        "POST",
        lambda w: "/api/v1/portfolio/business-case",
        statuses(200),
        body=lambda w: business_case_body(),
    ),
    ("portfolio-business-cases", "GET"): Case(
        "GET",
        lambda w: (home_case(w), "/api/v1/portfolio/business-cases")[1],
        LISTING,
        check=check_case_listing,
    ),
    ("portfolio-business-cases", "POST"): Case(
        "POST",
        lambda w: "/api/v1/portfolio/business-cases",
        only(CONFIGURERS, 201, neighbour=400),
        body=lambda w: {"municipality": "esimerkkila", **business_case_body("Uusi")},
    ),
    ("portfolio-stored-business-case", "GET"): Case(
        "GET",
        lambda w: f"/api/v1/portfolio/business-cases/{home_case(w).pk}",
        statuses(200, neighbour=404),
    ),
    ("portfolio-stored-business-case", "PUT"): Case(
        "PUT",
        lambda w: f"/api/v1/portfolio/business-cases/{home_case(w).pk}",
        only(CONFIGURERS, 200, neighbour=404),
        body=lambda w: business_case_body("Muutettu"),
        check=check_case_saved,
    ),
    ("vault-assets", "GET"): Case(
        "GET",
        lambda w: (home_asset(w), "/api/v1/vault/assets")[1],
        only(ADMINISTRATORS, 200, neighbour=200),
        check=check_vault_listing,
    ),
    ("vault-assets", "POST"): Case(
        "POST",
        lambda w: "/api/v1/vault/assets",
        only(ADMINISTRATORS, 201, neighbour=400),
        body=lambda w: {
            "municipality": "esimerkkila",
            "name": "raja",
            "kind": "number",
            "value": "5000",
        },
    ),
    ("vault-asset", "GET"): Case(
        "GET",
        lambda w: f"/api/v1/vault/assets/{home_asset(w).pk}",
        only(ADMINISTRATORS, 200, neighbour=404),
    ),
    ("vault-asset", "PATCH"): Case(
        "PATCH",
        lambda w: f"/api/v1/vault/assets/{home_asset(w).pk}",
        only(ADMINISTRATORS, 200, neighbour=404),
        body=lambda w: {"username": "uusi"},
    ),
    ("vault-asset", "DELETE"): Case(
        "DELETE",
        lambda w: f"/api/v1/vault/assets/{home_asset(w).pk}",
        only(ADMINISTRATORS, 204, neighbour=404),
    ),
    ("audit", "GET"): Case(
        "GET",
        lambda w: "/api/v1/audit",
        only({"administrator"}, 200, neighbour=200),
        check=check_audit,
    ),
    ("audit-export", "GET"): Case(
        "GET",
        lambda w: "/api/v1/audit/export?format=csv",
        only({"administrator"}, 200, neighbour=200),
        check=check_export,
    ),
}
for _method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
    CASES[("unknown", _method)] = Case(_method, lambda w: "/api/v1/no/such/thing", UNKNOWN)


def walk(patterns, prefix="", namespace=""):
    """Every URL pattern under the API's resolver, includes (a robot's endpoints) followed:
    (route, name as reversed below api:, pattern)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry


def api_endpoints() -> set[tuple[str, str]]:
    found = set()
    for route, name, pattern in walk(get_resolver("kuntarobo.api.urls").url_patterns):
        assert pattern.name, f"API pattern {route} has no name"
        methods = getattr(pattern.callback, "allowed_methods", None)
        assert methods, f"API view of {route} is not wrapped in kuntarobo.api.http.endpoint"
        for method in methods:
            found.add((name, method))
    return found


def test_every_api_endpoint_and_method_has_a_case_in_the_matrix():
    assert api_endpoints() == set(CASES)


def test_each_robots_endpoints_are_enumerated_under_its_prefix_before_the_catch_all():
    """The robots' endpoints are mounted from the registry: the matrix above sees them, and the
    JSON 404 of unknown paths stays last so that it never hides one."""
    routes = [
        (route, name) for route, name, _ in walk(get_resolver("kuntarobo.api.urls").url_patterns)
    ]
    mounted = {robot.slug: mounting.api_prefix(robot) for robot in all_robots() if robot.api_urls}
    assert mounted["ecec_fees"] == "ecec-fees"
    for slug, prefix in mounted.items():
        assert any(route.startswith(f"{prefix}/") for route, _ in routes), slug
    assert ("ecec-fees/calculate", "ecec_fees:calculate") in routes
    assert routes[-1][1] == "unknown"
    assert reverse("api:ecec_fees:calculate") == "/api/v1/ecec-fees/calculate"


def test_the_matrix_covers_every_role_and_caller():
    for key, case in CASES.items():
        assert set(case.expected) == set(CALLERS), key


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("key", sorted(CASES), ids=lambda key: f"{key[1]} {key[0]}")
def test_each_caller_gets_the_status_its_roles_allow(world, key, caller):
    case = CASES[key]
    client = client_for(world.user(caller))
    body = case.body(world) if case.body else None
    if body is None and case.method in ("POST", "PUT", "PATCH"):
        body = {}
    response = send(client, case.method, case.url(world), body)
    expected = case.expected[caller]
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        error = error_of(response)
        assert error["message"]
    if case.check and expected < 400:
        case.check(world, caller, response)
    if case.check is check_started and expected >= 400:
        check_started(world, caller, response)


@pytest.mark.parametrize("name", sorted({name for name, _ in CASES}))
def test_a_method_an_endpoint_does_not_take_is_refused_with_405(world, name):
    methods = {m for n, m in CASES if n == name}
    wrong = next(
        m for m in ("PUT", "DELETE", "PATCH", "POST", "GET", "OPTIONS") if m not in methods
    )
    case = next(c for (n, _), c in CASES.items() if n == name)
    response = send(client_for(world.user("administrator")), wrong, case.url(world), None)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == methods


@pytest.mark.parametrize("caller", [*(str(r) for r in ROLES), "neighbour"])
def test_no_listing_ever_shows_another_municipalitys_objects(world, caller):
    client = client_for(world.user(caller))
    _, foreign = own_municipalities(world, caller)
    other_side = world.other if caller != "neighbour" else world.home
    for url in ("/api/v1/runs", "/api/v1/items", "/api/v1/audit", "/api/v1/municipalities"):
        response = client.get(url)
        if response.status_code == 403:
            continue
        text = response.content.decode()
        assert foreign not in text, url
        assert other_side.waiting.reference not in text, url
    for url in (
        f"/api/v1/runs/{other_side.run.pk}",
        f"/api/v1/items/{other_side.waiting.pk}",
    ):
        assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/items?run={other_side.run.pk}").status_code == 400
    assert client.get(f"/api/v1/runs?municipality={foreign}").status_code == 400
