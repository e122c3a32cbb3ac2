"""The vault's API: a municipality's administrators list, add, read, change and delete its
assets through the same actions as the vault's pages and the command line (via="api").

Secrets are write-only: an answer says whether a credential's secret is set, when and by whom,
never the secret. A municipality the caller does not see is unknown (400 in a body or query,
404 for an asset); one they see without `manage_vault` is refused (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.debug import sensitive_variables

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.api.http import ApiError, Body, Query, bad_request, endpoint, forbidden, paginate
from kuntarobo.vault import actions
from kuntarobo.vault.keys import VaultKeyError
from kuntarobo.vault.models import Asset, AssetKind

CREATE_FIELDS = (
    "municipality",
    "robot",
    "name",
    "kind",
    "value",
    "username",
    "secret",
    "description",
)
UPDATE_FIELDS = ("value", "username", "secret", "description")


def asset_data(asset: Asset) -> dict[str, Any]:
    """An asset as JSON: a credential's secret only as when and by whom it was set."""
    secret = None
    if asset.is_credential:
        secret = {
            "set": asset.has_secret,
            "changed_at": asset.secret_changed_at.isoformat() if asset.secret_changed_at else None,
            "changed_by": asset.secret_changed_by,
        }
    return {
        "id": asset.pk,
        "municipality": asset.municipality.slug,
        "robot": asset.robot_slug,
        "name": asset.name,
        "kind": asset.kind,
        "value": None if asset.is_credential else asset.value,
        "username": asset.username if asset.is_credential else None,
        "secret": secret,
        "description": asset.description,
        "created_at": asset.created_at.isoformat(),
        "created_by": asset.created_by,
        "updated_at": asset.updated_at.isoformat(),
        "updated_by": asset.updated_by,
    }


def _managed(request: HttpRequest, slug: str, where: str) -> Municipality:
    found = Municipality.objects.for_user(request.user).filter(slug=slug).first()
    if found is None:
        bad_request(f"{where} 'municipality': unknown municipality {slug!r}", "municipality")
    if not has_permission(request.user, found, Permission.MANAGE_VAULT):
        forbidden(f"your roles do not allow 'manage_vault' in {slug}")
    return found


def _unavailable(error: VaultKeyError) -> ApiError:
    return ApiError(503, "vault_unavailable", str(error))


@endpoint("GET", "POST")
@sensitive_variables()
def assets(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _create(request)
    query = Query(request, ("municipality", "robot", "kind", "page"))
    managed = Municipality.objects.for_user(request.user, Permission.MANAGE_VAULT)
    slug = query.text("municipality")
    if slug is not None:
        managed = managed.filter(pk=_managed(request, slug, "query parameter").pk)
    elif not managed.exists():
        forbidden("your roles do not allow 'manage_vault' in any municipality")
    listed = Asset.objects.filter(municipality__in=managed).select_related("municipality")
    robot = query.text("robot")
    if robot is not None:
        listed = listed.filter(robot_slug=robot)
    kind = query.choice("kind", AssetKind.values)
    if kind is not None:
        listed = listed.filter(kind=kind)
    return paginate(query, listed.order_by("municipality__slug", "name", "robot_slug"), asset_data)


@sensitive_variables()
def _create(request: HttpRequest) -> HttpResponse:
    body = Body.from_json(request, CREATE_FIELDS, ("municipality", "name", "kind"))
    municipality = _managed(request, body.required_text("municipality"), "field")
    try:
        asset = actions.create_asset(
            request.user,
            municipality,
            name=body.required_text("name"),
            kind=body.required_text("kind"),
            robot_slug=body.text("robot", max_length=50),
            value=body.text("value"),
            username=body.text("username", max_length=200),
            secret=body.text("secret", max_length=actions.MAX_SECRET_LENGTH),
            description=body.text("description", max_length=1000),
            via="api",
        )
    except VaultKeyError as error:
        raise _unavailable(error) from None
    return JsonResponse(asset_data(asset), status=201)


def _asset(request: HttpRequest, asset_id: int) -> Asset:
    asset = (
        Asset.objects.for_user(request.user)
        .select_related("municipality")
        .filter(pk=asset_id)
        .first()
    )
    if asset is None:
        raise ApiError(404, "not_found", f"no vault asset {asset_id}")
    if not has_permission(request.user, asset.municipality, Permission.MANAGE_VAULT):
        forbidden(f"your roles do not allow 'manage_vault' in {asset.municipality.slug}")
    return asset


@endpoint("GET", "PATCH", "DELETE")
@sensitive_variables()
def asset(request: HttpRequest, asset_id: int) -> HttpResponse:
    found = _asset(request, asset_id)
    if request.method == "DELETE":
        actions.delete_asset(request.user, found, via="api")
        return HttpResponse(status=204)
    if request.method == "PATCH":
        body = Body.from_json(request, UPDATE_FIELDS)
        given = body.data
        try:
            actions.update_asset(
                request.user,
                found,
                value=body.text("value") if "value" in given else None,
                username=body.text("username", max_length=200) if "username" in given else None,
                description=(
                    body.text("description", max_length=1000) if "description" in given else None
                ),
                secret=body.text("secret", max_length=actions.MAX_SECRET_LENGTH),
                via="api",
            )
        except VaultKeyError as error:
            raise _unavailable(error) from None
    return JsonResponse(asset_data(found))
