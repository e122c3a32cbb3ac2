"""Every state change of the vault is one function here, and so is a robot's read. The pages,
the API, the command line and the demo loader call these; each checks permission (administrators
only: `manage_vault`) and writes the audit trail, never with a secret in its details."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from kuntarobo.accounts.models import Municipality, Permission
from kuntarobo.audit.trail import actor_label, record
from kuntarobo.core.masking import MIN_SECRET_LENGTH, remember_secret
from kuntarobo.runtime.actions import PermissionDeniedError, require
from kuntarobo.runtime.declarations import BusinessException, InputError, message
from kuntarobo.vault import keys
from kuntarobo.vault.models import Asset, AssetKind, parse_value

if TYPE_CHECKING:
    from kuntarobo.audit.trail import Actor
    from kuntarobo.runtime.declarations import ItemView, RunContext

MAX_SECRET_LENGTH = 4096
PLAIN_KINDS = (AssetKind.TEXT, AssetKind.NUMBER, AssetKind.BOOLEAN)


def _check_secret(secret: str) -> None:
    """Refuse a secret too short to mask or too long to be one; a good one is masked from now
    on in this process (a log line or a stored error that quotes it shows the mask)."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise InputError(
            _("The secret is too short: at least %(length)s characters."),
            field="secret",
            length=MIN_SECRET_LENGTH,
        )
    if len(secret) > MAX_SECRET_LENGTH:
        raise InputError(
            _("The secret is too long: at most %(length)s characters."),
            field="secret",
            length=MAX_SECRET_LENGTH,
        )
    remember_secret(secret)


def _validate(asset: Asset) -> None:
    """The model's own rules as InputError (its first problem), in the caller's language."""
    try:
        asset.full_clean(exclude=["municipality"], validate_unique=False)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise InputError(problems[0], field=None if field == "__all__" else field) from None


def _kind(kind: str) -> str:
    if kind not in AssetKind.values:
        raise InputError(
            _("unknown kind '%(kind)s' (known: %(known)s)"),
            field="kind",
            kind=kind,
            known=", ".join(AssetKind.values),
        )
    return kind


def _save(asset: Asset) -> None:
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        raise InputError(
            _("The vault already has an asset named %(name)s for this robot."),
            field="name",
            name=asset.name,
        ) from None


@sensitive_variables()
def create_asset(
    actor: Actor,
    municipality: Municipality,
    *,
    name: str,
    kind: str,
    robot_slug: str = "",
    value: str = "",
    username: str = "",
    secret: str = "",
    description: str = "",
    via: str = "",
) -> Asset:
    """A new asset; a credential needs its secret now (encrypted before it is stored)."""
    require(actor, municipality, Permission.MANAGE_VAULT)
    asset = Asset(
        municipality=municipality,
        robot_slug=robot_slug.strip(),
        name=name.strip(),
        kind=_kind(kind),
        value=value,
        username=username.strip(),
        description=description,
        created_by=actor_label(actor),
        updated_by=actor_label(actor),
    )
    _validate(asset)
    if asset.is_credential:
        _check_secret(secret)
        asset.secret = keys.encrypt(secret)
        asset.secret_changed_at = timezone.now()
        asset.secret_changed_by = actor_label(actor)
    elif secret:
        raise InputError(_("Only a credential has a secret."), field="secret")
    _save(asset)
    record(
        "vault.asset_created",
        actor=actor,
        municipality=municipality,
        obj=asset,
        details={"name": asset.name, "kind": asset.kind, "robot": asset.robot_slug},
        via=via,
    )
    return asset


@sensitive_variables()
def update_asset(
    actor: Actor,
    asset: Asset,
    *,
    value: str | None = None,
    username: str | None = None,
    description: str | None = None,
    secret: str = "",
    via: str = "",
) -> Asset:
    """Change what is given; an empty secret keeps the stored one (the field is write-only)."""
    require(actor, asset.municipality, Permission.MANAGE_VAULT)
    changed = []
    for field, new in (("value", value), ("username", username), ("description", description)):
        if new is not None and new != getattr(asset, field):
            setattr(asset, field, new.strip() if field == "username" else new)
            changed.append(field)
    _validate(asset)
    if secret:
        if not asset.is_credential:
            raise InputError(_("Only a credential has a secret."), field="secret")
        _check_secret(secret)
    with transaction.atomic():
        if changed:
            asset.updated_by = actor_label(actor)
            _save(asset)
            record(
                "vault.asset_updated",
                actor=actor,
                municipality=asset.municipality,
                obj=asset,
                details={"name": asset.name, "robot": asset.robot_slug, "fields": changed},
                via=via,
            )
        if secret:
            rotate_secret(actor, asset, secret, via=via)
    return asset


@sensitive_variables()
def rotate_secret(actor: Actor, asset: Asset, secret: str, *, via: str = "") -> Asset:
    """A new secret for a credential (the system's password was changed)."""
    require(actor, asset.municipality, Permission.MANAGE_VAULT)
    if not asset.is_credential:
        raise InputError(_("Only a credential has a secret."), field="secret")
    _check_secret(secret)
    asset.secret = keys.encrypt(secret)
    asset.secret_changed_at = timezone.now()
    asset.secret_changed_by = asset.updated_by = actor_label(actor)
    asset.save()
    record(
        "vault.secret_rotated",
        actor=actor,
        municipality=asset.municipality,
        obj=asset,
        details={"name": asset.name, "robot": asset.robot_slug},
        via=via,
    )
    return asset


def delete_asset(actor: Actor, asset: Asset, *, via: str = "") -> None:
    require(actor, asset.municipality, Permission.MANAGE_VAULT)
    details = {"name": asset.name, "kind": asset.kind, "robot": asset.robot_slug}
    municipality, pk = asset.municipality, asset.pk
    asset.delete()
    asset.pk = pk  # the audit event names the removed row
    record(
        "vault.asset_deleted",
        actor=actor,
        municipality=municipality,
        obj=asset,
        details=details,
        via=via,
    )


@sensitive_variables()
def store_credential(
    actor: Actor,
    municipality: Municipality,
    name: str,
    username: str,
    secret: str,
    *,
    robot_slug: str = "",
    description: str | None = None,
    via: str = "cli",
) -> Asset:
    """Create the credential, or give the existing one this username and secret (the CLI's
    `vault set` and the demo loader)."""
    existing = Asset.objects.filter(
        municipality=municipality, robot_slug=robot_slug, name=name
    ).first()
    if existing is None:
        return create_asset(
            actor,
            municipality,
            name=name,
            kind=AssetKind.CREDENTIAL,
            robot_slug=robot_slug,
            username=username,
            secret=secret,
            description=description or "",
            via=via,
        )
    if not existing.is_credential:
        raise InputError(
            _("%(name)s is not a credential; delete it first to store a credential"),
            field="name",
            name=name,
        )
    return update_asset(
        actor, existing, username=username, description=description, secret=secret, via=via
    )


def store_value(
    actor: Actor,
    municipality: Municipality,
    name: str,
    kind: str,
    value: str,
    *,
    robot_slug: str = "",
    description: str | None = None,
    via: str = "cli",
) -> Asset:
    """Create the plain asset (text, number, yes/no) or change its value."""
    if _kind(kind) == AssetKind.CREDENTIAL:
        raise InputError(_("Use store_credential for a credential."), field="kind")
    existing = Asset.objects.filter(
        municipality=municipality, robot_slug=robot_slug, name=name
    ).first()
    if existing is None:
        return create_asset(
            actor,
            municipality,
            name=name,
            kind=kind,
            robot_slug=robot_slug,
            value=value,
            description=description or "",
            via=via,
        )
    if existing.kind != kind:
        raise InputError(
            _("%(name)s is a %(kind)s; delete it first to store another kind"),
            field="kind",
            name=name,
            kind=existing.kind,
        )
    return update_asset(actor, existing, value=value, description=description, via=via)


def rotate_key(actor: Actor, *, via: str = "cli") -> int:
    """Re-encrypt every secret under the first key (MultiFernet.rotate), all or none; then the
    old keys may be removed. An operator's task (the keys are the operator's): a platform user
    may not."""
    if actor is not None and not isinstance(actor, str):
        raise PermissionDeniedError("only an operator rotates the vault's key")
    with transaction.atomic():
        credentials = list(Asset.objects.select_for_update().exclude(secret=""))
        for asset in credentials:
            asset.secret = keys.reencrypt(asset.secret)
        Asset.objects.bulk_update(credentials, ["secret"], batch_size=500)
        record("vault.key_rotated", actor=actor, details={"secrets": len(credentials)}, via=via)
    return len(credentials)


# --- a robot reads ------------------------------------------------------------------------------


def find_asset(municipality_slug: str, robot_slug: str, name: str) -> Asset | None:
    """The robot's own asset of that name, else the municipality-wide one."""
    found = {
        asset.robot_slug: asset
        for asset in Asset.objects.select_related("municipality").filter(
            municipality__slug=municipality_slug, robot_slug__in=[robot_slug, ""], name=name
        )
    }
    return found.get(robot_slug) or found.get("")


def _missing(name: str, wanted: str) -> BusinessException:
    if wanted == AssetKind.CREDENTIAL:
        text = _(
            "The vault has no credential named %(name)s for this robot; an administrator "
            "stores it in the municipality's vault."
        )
    else:
        text = _(
            "The vault has no asset named %(name)s for this robot; an administrator stores "
            "it in the municipality's vault."
        )
    return BusinessException(message(text, name=name))


@sensitive_variables()
def read(
    context: RunContext, name: str, *, credential: bool, item: ItemView | None = None
) -> tuple[Asset, Any]:
    """A robot's read, audited ("vault.read", never the secret): the asset and its value, for
    a credential (username, secret) with the secret remembered for masking first."""
    asset = find_asset(context.municipality_slug, context.robot_slug, name)
    wanted = AssetKind.CREDENTIAL if credential else "plain"
    if asset is None or asset.is_credential != credential:
        raise _missing(name, wanted)
    value: Any
    if credential:
        try:
            secret = keys.decrypt(asset.secret)
        except keys.VaultKeyError as error:
            raise BusinessException(str(error)) from None
        remember_secret(secret)
        value = (asset.username, secret)
    else:
        value = parse_value(asset.kind, asset.value)
    record(
        "vault.read",
        actor=f"robot:{context.robot_slug}",
        municipality=asset.municipality,
        obj=asset,
        details={
            "name": asset.name,
            "kind": asset.kind,
            "robot": context.robot_slug,
            "run": context.run_id,
            "item": item.id if item is not None else None,
        },
        via="worker",
    )
    return asset, value


@sensitive_variables()
def credential_for_robot(context: RunContext, name: str, item: ItemView | None) -> tuple[str, str]:
    """(username, secret) of a credential, for the Robot Framework runtime's variables."""
    _asset, (username, secret) = read(context, name, credential=True, item=item)
    return username, secret


def plain_value(
    context: RunContext, name: str, item: ItemView | None
) -> str | int | Decimal | bool:
    _asset, value = read(context, name, credential=False, item=item)
    return value  # type: ignore[no-any-return]
