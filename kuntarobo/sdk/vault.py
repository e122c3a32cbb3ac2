"""The vault as a robot sees it: credentials and assets an administrator stored for the
municipality (docs/credentials.md). Every read is audited; a credential's secret is masked in
every log line, stored error and document of this process from the moment it is read.

    login = vault.credential(context, "payroll-system", item=item)
    session.login(login.username, login.secret.reveal())
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kuntarobo.core.masking import SECRET_MASK
from kuntarobo.runtime.declarations import ItemView, RunContext
from kuntarobo.vault import actions


class Secret:
    """A secret that does not print itself: str() and repr() give the mask, so a log line or an
    exception quoting it shows nothing; `.reveal()` gives the value to the system that needs it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return SECRET_MASK

    def __repr__(self) -> str:
        return SECRET_MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credential:
    name: str
    username: str
    secret: Secret


def credential(context: RunContext, name: str, *, item: ItemView | None = None) -> Credential:
    """The credential `name` of this robot (else the municipality's); BusinessException when the
    vault has none. Audited as "vault.read" with the run and the item."""
    username, secret = actions.credential_for_robot(context, name, item)
    return Credential(name=name, username=username, secret=Secret(secret))


def asset(
    context: RunContext, name: str, *, item: ItemView | None = None
) -> str | int | Decimal | bool:
    """The value of the plain asset `name` (text, number, yes/no); BusinessException when the
    vault has none (or `name` is a credential). Audited as "vault.read"."""
    return actions.plain_value(context, name, item)


__all__ = ["Credential", "Secret", "asset", "credential"]
