"""Deployment decisions read from the environment (pure: no Django), so that settings stay
declarative and each rule is tested directly.

The one explicit signal of the *embedded demo* is `KUNTAROBO_DEMO=1`, which `kuntarobo demo`
(and so `make demo`) sets for itself and its processes. Everything else is a deployment: it
needs an explicit `SECRET_KEY` and gets secure cookies by default.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})

# Everything kuntarobo writes (database, documents, inputs, print batches) is personal data:
# readable by the service's own user only.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_UMASK = 0o077


class DeploymentError(ValueError):
    """A setting that makes the installation unsafe or inconsistent; the message names it."""


def flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise DeploymentError(f"{name} must be true or false, not {value!r}")


def is_embedded_demo(environ: Mapping[str, str]) -> bool:
    return flag(environ, "KUNTAROBO_DEMO", False)


def uses_postgresql(environ: Mapping[str, str]) -> bool:
    url = environ.get("DATABASE_URL", "").strip().lower()
    return url.startswith(("postgres://", "postgresql://", "pgsql://", "postgis://"))


def secret_key_refusal(environ: Mapping[str, str]) -> str | None:
    """Why this process must not start without SECRET_KEY, or None when a key made in var/
    will do (the embedded demo: one machine, one var/, so every process reads the same key)."""
    if environ.get("SECRET_KEY", "").strip():
        return None
    if uses_postgresql(environ):
        reason = "DATABASE_URL points to PostgreSQL, so processes may run on several machines"
    elif not is_embedded_demo(environ):
        reason = "this is not the embedded demo (KUNTAROBO_DEMO is not set)"
    else:
        return None
    return (
        f"SECRET_KEY is not set: {reason}. A key made per machine would make a session signed "
        "by one web process invalid in another. Set SECRET_KEY to the same long random value "
        "on every machine (e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )


def secure_cookies(environ: Mapping[str, str], debug: bool) -> bool:
    """Cookies only over HTTPS, unless the embedded demo or DEBUG serves plain HTTP on
    loopback; SESSION_COOKIE_SECURE overrides either way."""
    return flag(environ, "SESSION_COOKIE_SECURE", not (is_embedded_demo(environ) or debug))


def proxy_ssl_header(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """`SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto:https` → Django's (META key, value)."""
    value = environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
    if not value:
        return None
    header, separator, expected = value.partition(":")
    header, expected = header.strip(), expected.strip()
    if not separator or not header or not expected:
        raise DeploymentError(
            "SECURE_PROXY_SSL_HEADER must be a header and its value, "
            f"e.g. X-Forwarded-Proto:https, not {value!r}"
        )
    return "HTTP_" + header.upper().replace("-", "_"), expected


def extra_sources(environ: Mapping[str, str], name: str) -> list[str]:
    """Space- or comma-separated origins added to a CSP directive, each checked to be one."""
    sources = [s for s in environ.get(name, "").replace(",", " ").split() if s]
    for source in sources:
        if not source.startswith(("https://", "http://")) or any(c in source for c in ";'\""):
            raise DeploymentError(
                f"{name} must list origins such as https://login.example.fi, not {source!r}"
            )
    return sources


# The platform's Django apps, in the order Django looks for templates and commands in them.
PLATFORM_APPS: tuple[str, ...] = (
    "kuntarobo.accounts",
    "kuntarobo.audit",
    "kuntarobo.runtime",
    "kuntarobo.decisions",
    "kuntarobo.channels",
    "kuntarobo.vault",
    "kuntarobo.web",
    "kuntarobo.api",
    "kuntarobo.robots.invoice_check",
    "kuntarobo.robots.file_archiver",
    "kuntarobo.robots.web_form_check_rf",
    "kuntarobo.robots.hr_reports",
    "kuntarobo.robots.hr_fetch",
    "kuntarobo.robots.ecec_fees",
    "kuntarobo.robots.phone_survey",
    "kuntarobo.portfolio",
    "kuntarobo.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
)


def installed_apps(environ: Mapping[str, str]) -> list[str]:
    """INSTALLED_APPS: the platform's, then the robots of other packages, which are added
    without touching the platform (KUNTAROBO_EXTRA_APPS, comma-separated dotted names)."""
    extra = [name.strip() for name in environ.get("KUNTAROBO_EXTRA_APPS", "").split(",")]
    return list(dict.fromkeys([*PLATFORM_APPS, *(name for name in extra if name)]))


def restrict_new_files() -> None:
    """New files and folders of this process readable by its own user only."""
    os.umask(PRIVATE_UMASK)


def tighten(paths: list[Path]) -> list[Path]:
    """Take group and world access away from existing folders and files created before the
    umask was set (older versions left the database and PDFs 0644). Only the given paths, not
    whole trees: a private folder already hides everything below it. Returns what changed."""
    changed = []
    for path in paths:
        try:
            mode = path.stat().st_mode
            if not mode & 0o077:
                continue
            path.chmod(PRIVATE_DIRECTORY_MODE if stat.S_ISDIR(mode) else PRIVATE_FILE_MODE)
        except (FileNotFoundError, PermissionError):
            continue  # gone, or owned by someone else (e.g. a shared volume's mount point)
        changed.append(path)
    return changed
