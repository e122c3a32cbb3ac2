"""The robot's own text-message channel: an HTTP SMS gateway (settings
KUNTAROBO_SMS_GATEWAY_URL and _TOKEN, from the environment). The platform's channel registry
has no phone-number address kind, so the robot keeps this plug-in to itself; it carries only
notices and links, never answers or other personal data (the number itself goes to the
gateway, masked everywhere else)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.respondents import mask_phone
from kuntarobo.sdk import InputError

logger = logging.getLogger(__name__)
MAX_TEXT = 612  # four concatenated messages


class SmsError(Exception):
    """The gateway did not take the message; `retryable` when trying later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SmsGateway:
    url: str
    token: str
    timeout: float = 10

    def send(self, to: str, text: str, *, reference: str) -> str:
        """POST the message; the gateway's id of it (or the reference when it gives none)."""
        if len(text) > MAX_TEXT:
            raise SmsError(
                f"the message is {len(text)} characters, at most {MAX_TEXT}", retryable=False
            )
        try:
            response = requests.post(
                self.url,
                json={"to": to, "text": text, "reference": reference},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            logger.warning("SMS to %s failed: %s", mask_phone(to), type(error).__name__)
            raise SmsError(
                f"the SMS gateway did not answer: {type(error).__name__}", retryable=True
            ) from None
        if response.status_code >= 300:
            logger.warning("SMS to %s refused: HTTP %s", mask_phone(to), response.status_code)
            raise SmsError(
                f"the SMS gateway answered HTTP {response.status_code}",
                retryable=response.status_code >= 500 or response.status_code == 429,
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        ident = body.get("id") if isinstance(body, dict) else None
        return str(ident) if ident else reference


def configured_gateway() -> SmsGateway:
    """The configured gateway, or an InputError saying which setting is missing."""
    url = str(getattr(settings, "KUNTAROBO_SMS_GATEWAY_URL", "") or "")
    token = str(getattr(settings, "KUNTAROBO_SMS_GATEWAY_TOKEN", "") or "")
    if not url or not token:
        raise InputError(
            _(
                "No SMS gateway is configured: the administrator sets KUNTAROBO_SMS_GATEWAY_URL "
                "and KUNTAROBO_SMS_GATEWAY_TOKEN. Nothing was sent."
            ),
            field="sms_notice",
        )
    if not url.startswith(("https://", "http://")):
        raise InputError(
            _("KUNTAROBO_SMS_GATEWAY_URL must be an http(s) address. Nothing was sent."),
            field="sms_notice",
        )
    timeout = float(getattr(settings, "KUNTAROBO_SMS_GATEWAY_TIMEOUT", 10) or 10)
    return SmsGateway(url, token, timeout)
