"""Authentication backends: local passwords behind the brute-force lock, and sessions of users
signed in through a municipality's identity provider (OpenID Connect)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.backends import AxesBackend, AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest


class PasswordBackend(AxesBackend):  # type: ignore[misc]  # django-axes publishes no types
    """A user name and password, refused while the (user name, address) is locked out.

    Without a request (the test client's `login()`, scripts) there is no address to lock, so the
    lock is not consulted; every web sign-in passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is not None:
            try:
                AxesStandaloneBackend.authenticate(self, request, username, password, **kwargs)
            except AxesBackendPermissionDenied:
                request.kuntarobo_locked_out = True  # type: ignore[attr-defined]
                raise
        return ModelBackend.authenticate(self, request, username, password, **kwargs)

    def user_can_authenticate(self, user: User | None) -> bool:
        """`KUNTAROBO_PASSWORD_LOGIN=superusers` leaves passwords to break-glass superusers."""
        if not super().user_can_authenticate(user):
            return False
        if settings.KUNTAROBO_PASSWORD_LOGIN == "superusers":  # noqa: S105
            return bool(getattr(user, "is_superuser", False))
        return True


class OidcBackend(ModelBackend):
    """Keeps the session of a user signed in through OpenID Connect; it checks no credentials
    itself (the callback view validates the provider's ID token and logs the user in)."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, **credentials: Any
    ) -> User | None:
        return None
