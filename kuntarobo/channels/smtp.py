"""SMTP with the TLS settings of the environment.

Django's SMTP backend trusts only the system's CA bundle. A municipality's mail relay often has
a certificate from the municipality's own CA: KUNTAROBO_EMAIL_CA_FILE names that CA (or the
relay's self-signed certificate). Certificates and host names are always checked unless
KUNTAROBO_EMAIL_VERIFY_CERTIFICATE=false, and TLS below 1.2 is refused. EMAIL_USE_TLS is
STARTTLS (port 587), EMAIL_USE_SSL is implicit TLS (port 465)."""

from __future__ import annotations

import logging
import ssl
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import message

logger = logging.getLogger(__name__)

DJANGO_SMTP = "django.core.mail.backends.smtp.EmailBackend"
OURS = "kuntarobo.channels.smtp.EmailBackend"


def tls_context() -> ssl.SSLContext:
    """The client context: system CAs plus the configured CA file, host names checked."""
    ca_file = getattr(settings, "KUNTAROBO_EMAIL_CA_FILE", "") or None
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    certfile = getattr(settings, "EMAIL_SSL_CERTFILE", None)
    if certfile:
        context.load_cert_chain(certfile, getattr(settings, "EMAIL_SSL_KEYFILE", None))
    if not getattr(settings, "KUNTAROBO_EMAIL_VERIFY_CERTIFICATE", True):
        logger.warning(
            "SMTP certificate checks are switched off (KUNTAROBO_EMAIL_VERIFY_CERTIFICATE)"
        )
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def tls_refusal() -> Any | None:
    """Why the platform's mail connection does not enforce TLS with a verified certificate (a
    lazy text, said in the reader's language), or None when it does: an SMTP backend with
    STARTTLS (Django's backend refuses a server that does not offer it) or implicit TLS, and
    certificate checks on. Personal data may go by e-mail only then (the `email_tls` channel)."""
    if settings.EMAIL_BACKEND not in (DJANGO_SMTP, OURS):
        return message(
            _("the mail backend %(backend)s is not SMTP over TLS"), backend=settings.EMAIL_BACKEND
        )
    if not (getattr(settings, "EMAIL_USE_TLS", False) or getattr(settings, "EMAIL_USE_SSL", False)):
        return _("the mail connection does not use TLS (set EMAIL_USE_TLS or EMAIL_USE_SSL)")
    if not getattr(settings, "KUNTAROBO_EMAIL_VERIFY_CERTIFICATE", True):
        return _(
            "the mail server's certificate is not verified (KUNTAROBO_EMAIL_VERIFY_CERTIFICATE)"
        )
    return None


class EmailBackend(DjangoSmtpBackend):
    """Django's SMTP backend with `tls_context()` for both STARTTLS and implicit TLS."""

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        return tls_context()


def connection() -> BaseEmailBackend:
    """The platform's mail connection: SMTP through `EmailBackend`, or whatever other backend
    the settings name (the console in the demo, memory in some tests)."""
    backend = settings.EMAIL_BACKEND
    kwargs: dict[str, Any] = {"fail_silently": False}
    if backend in (DJANGO_SMTP, OURS):
        return EmailBackend(**kwargs)
    configured: BaseEmailBackend = get_connection(backend, **kwargs)
    return configured
