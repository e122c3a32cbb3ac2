"""The vault's encryption keys: Fernet keys from the environment (KUNTAROBO_VAULT_KEYS) or a key
file outside the database (KUNTAROBO_VAULT_KEY_FILE). The first key encrypts, every key
decrypts, so a new key is put first and `kuntarobo vault rotate-key` re-encrypts under it.

Pure Python apart from reading the settings, so the rules are tested directly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.views.decorators.debug import sensitive_variables


class VaultKeyError(Exception):
    """No usable key: the message names the setting to fix. Only the vault refuses; the rest of
    the system works without keys."""


@sensitive_variables()
def parse_keys(keys: Sequence[str], source: str) -> list[Fernet]:
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip().encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise VaultKeyError(
                f"{source}: key {number} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with: python3 -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None
    return fernets


def keys_in_file(path: Path) -> list[str]:
    """One key per line; blank lines and lines starting with # are skipped."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise VaultKeyError(f"KUNTAROBO_VAULT_KEY_FILE {path} cannot be read: {error}") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@sensitive_variables()
def load(keys: Sequence[str], key_file: str) -> MultiFernet:
    """The MultiFernet of the configured keys, KUNTAROBO_VAULT_KEYS first."""
    if keys:
        return MultiFernet(parse_keys(keys, "KUNTAROBO_VAULT_KEYS"))
    if key_file:
        found = keys_in_file(Path(key_file))
        if not found:
            raise VaultKeyError(f"KUNTAROBO_VAULT_KEY_FILE {key_file} holds no key")
        return MultiFernet(parse_keys(found, "KUNTAROBO_VAULT_KEY_FILE"))
    raise VaultKeyError(
        "the vault has no encryption key: set KUNTAROBO_VAULT_KEYS (comma-separated Fernet "
        "keys, the first encrypts) or KUNTAROBO_VAULT_KEY_FILE (a file with one key per line)"
    )


def configured() -> MultiFernet:
    from django.conf import settings

    return load(settings.KUNTAROBO_VAULT_KEYS, settings.KUNTAROBO_VAULT_KEY_FILE)


@sensitive_variables()
def encrypt(secret: str) -> str:
    return configured().encrypt(secret.encode("utf-8")).decode("ascii")


@sensitive_variables()
def decrypt(token: str) -> str:
    try:
        return configured().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise VaultKeyError(
            "a stored secret cannot be decrypted with the configured keys: the key that "
            "encrypted it is missing from KUNTAROBO_VAULT_KEYS / KUNTAROBO_VAULT_KEY_FILE"
        ) from None


def reencrypt(token: str) -> str:
    """The token under the first key (MultiFernet.rotate)."""
    try:
        return configured().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise VaultKeyError(
            "a stored secret cannot be decrypted with the configured keys: keep the old key "
            "in the list (after the new one) until rotate-key has run"
        ) from None
