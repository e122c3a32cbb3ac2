"""A client for the Suomi.fi Messages (Suomi.fi-viestit) REST API of the Digital and Population
Data Services Agency (DVV).

Robots deliver documents to citizens through it: a PDF is uploaded as an attachment, then a
message refers to it. With a postal address the message is *multichannel*: Suomi.fi delivers it
electronically when the recipient has an active mailbox and prints and posts it otherwise. Without
one it goes to the electronic mailbox only, and the API refuses it if there is none.

Pure Python (standard library only, no Django) so any robot, a management command or a test can
use it. The contract follows the API description at https://api.messages.suomi.fi/api-docs and
two open-source clients: City of Espoo's eVaka (espoon-voltti/evaka,
service/src/main/kotlin/fi/espoo/evaka/sficlient/rest/) and City of Helsinki's
django-helsinki-suomifi-messages (suomifi_messages/client.py, schemas.py, errors.py).

Idempotency: every message carries the caller's `externalId`. The API answers a second message
with the same externalId with HTTP 409 and the first message's id, so a send retried after a lost
response or a crash returns the original message instead of delivering it twice.

Personal identity codes never appear in exception messages or logs: the recipient is shown as
DDMMYY-**** and anything echoed back by the API is masked too.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from kuntarobo.core.masking import mask_identity_codes

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

TOKEN_PATH = "/v1/token"  # noqa: S105 - a URL path, not a secret
ATTACHMENTS_PATH = "/v2/attachments"
# Multichannel: electronic when the recipient has an active mailbox, otherwise paper mail.
MESSAGES_PATH = "/v2/messages"
# Electronic only: refused when the recipient has no active mailbox.
ELECTRONIC_MESSAGES_PATH = "/v2/messages/electronic"

# Documented on kehittajille.suomi.fi, "Content of an electronic message": "The title can be up to
# 256 characters long" and the text content "has no practical length limitation".
TITLE_MAX_CHARS = 256
# Unverified against the live API: the per-file size limit is not in any source found; 10 MiB
# keeps a decision PDF well inside what both the electronic and the printing channel accept.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Unverified against the live API: no documented maximum for externalId or the file name; these
# bounds only stop obviously broken input.
EXTERNAL_ID_MAX_CHARS = 255
ATTACHMENT_NAME_MAX_CHARS = 255
PDF_CONTENT_TYPE = "application/pdf"

# A token is renewed this long before the expiry the API announced, so a request started just
# before the expiry does not fail with 401.
TOKEN_EXPIRY_MARGIN_SECONDS = 60.0

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_IDENTITY_CODE = re.compile(
    r"(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[-+YXWVUABCDEF]\d{3}[0-9ABCDEFHJKLMNPRSTUVWXY]"
)
_BUSINESS_ID = re.compile(r"\d{7}-\d")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_FINNISH_POSTAL_CODE = re.compile(r"\d{5}")

_ENVIRONMENT_PREFIX = "KUNTAROBO_SUOMIFI_"


def mask_recipient(recipient_id: str) -> str:
    """Show a recipient as DDMMYY-**** (birth date and century sign kept, the individual part
    hidden) so an error can still be matched to a person by someone who has the register."""
    if _IDENTITY_CODE.fullmatch(recipient_id.upper()):
        return f"{recipient_id[:7]}****"
    if _BUSINESS_ID.fullmatch(recipient_id):
        return recipient_id  # a business ID is public
    return "***"


def _check_url(url: str, field: str) -> None:
    """Only https leaves the machine: plain http is accepted for a loopback test server."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return
    raise ValueError(f"{field} must be an https URL (http only for localhost), got {url!r}")


@dataclass(frozen=True)
class MessagesConfig:
    """System credentials of one municipality's Suomi.fi Messages service.

    The Posti Messaging credentials are needed only for paper mail: the API passes them on to the
    printing and enveloping service (eVaka and Helsinki's client both send them with every paper
    mail part)."""

    base_url: str
    username: str
    password: str
    service_id: str
    timeout_seconds: float = 20.0
    posti_email: str | None = None
    posti_username: str | None = None
    posti_password: str | None = None

    def __post_init__(self) -> None:
        _check_url(self.base_url, "base_url")
        for field in ("username", "password", "service_id"):
            if not getattr(self, field).strip():
                raise ValueError(f"{field} must not be empty")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")

    def __repr__(self) -> str:
        # Passwords stay out of tracebacks and log lines that print the config.
        return (
            f"MessagesConfig(base_url={self.base_url!r}, username={self.username!r}, "
            f"service_id={self.service_id!r}, timeout_seconds={self.timeout_seconds!r}, "
            f"paper_mail={self.paper_mail_enabled})"
        )

    @property
    def paper_mail_enabled(self) -> bool:
        return bool(self.posti_email and self.posti_username and self.posti_password)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> MessagesConfig | None:
        """None when KUNTAROBO_SUOMIFI_URL is unset (the municipality uses print batches); a
        ValueError naming the variable when the configuration is only partly there."""

        def get(name: str) -> str:
            return environ.get(_ENVIRONMENT_PREFIX + name, "").strip()

        base_url = get("URL")
        if not base_url:
            return None
        try:
            _check_url(base_url, _ENVIRONMENT_PREFIX + "URL")
        except ValueError:
            raise ValueError(
                f"{_ENVIRONMENT_PREFIX}URL must be an https URL (http only for localhost)"
            ) from None
        required = {}
        for name in ("USERNAME", "PASSWORD", "SERVICE_ID"):
            value = get(name)
            if not value:
                raise ValueError(
                    f"{_ENVIRONMENT_PREFIX}{name} must be set when {_ENVIRONMENT_PREFIX}URL is set"
                )
            required[name] = value
        posti = {name: get(name) for name in ("POSTI_EMAIL", "POSTI_USERNAME", "POSTI_PASSWORD")}
        if any(posti.values()):
            for name, value in posti.items():
                if not value:
                    raise ValueError(
                        f"{_ENVIRONMENT_PREFIX}{name} must be set when any "
                        f"{_ENVIRONMENT_PREFIX}POSTI_* variable is set"
                    )
        timeout_text = get("TIMEOUT_SECONDS")
        timeout = 20.0
        if timeout_text:
            try:
                timeout = float(timeout_text)
            except ValueError:
                raise ValueError(f"{_ENVIRONMENT_PREFIX}TIMEOUT_SECONDS must be a number") from None
            if timeout <= 0:
                raise ValueError(f"{_ENVIRONMENT_PREFIX}TIMEOUT_SECONDS must be positive")
        return cls(
            base_url=base_url,
            username=required["USERNAME"],
            password=required["PASSWORD"],
            service_id=required["SERVICE_ID"],
            timeout_seconds=timeout,
            posti_email=posti["POSTI_EMAIL"] or None,
            posti_username=posti["POSTI_USERNAME"] or None,
            posti_password=posti["POSTI_PASSWORD"] or None,
        )


@dataclass(frozen=True)
class PostalAddress:
    """A postal address as the paper mail part needs it (recipient or sender)."""

    name: str
    street: str
    postal_code: str
    city: str
    country_code: str = "FI"

    def validate(self, field: str) -> None:
        for part in ("name", "street", "postal_code", "city"):
            if not getattr(self, part).strip():
                raise ValueError(f"{field}.{part} must not be empty")
        if not _COUNTRY_CODE.fullmatch(self.country_code):
            raise ValueError(f"{field}.country_code must be an ISO 3166-1 alpha-2 code, e.g. FI")
        if self.country_code == "FI" and not _FINNISH_POSTAL_CODE.fullmatch(self.postal_code):
            raise ValueError(f"{field}.postal_code must be five digits in Finland")

    def to_api(self) -> dict[str, str]:
        return {
            "name": self.name,
            "streetAddress": self.street,
            "zipCode": self.postal_code,
            "city": self.city,
            "countryCode": self.country_code,
        }


@dataclass(frozen=True)
class Message:
    """One document to one recipient.

    `external_id` must be stable across retries of the same delivery (e.g. the decision's id):
    it is what makes a retry safe. With `paper_mail_address` the message is multichannel and
    `sender_address` (the return address printed on the letter) is required too."""

    external_id: str
    recipient_id: str  # personal identity code (or business ID)
    title: str
    body: str
    attachment_name: str
    attachment: bytes  # PDF
    paper_mail_address: PostalAddress | None = None
    sender_address: PostalAddress | None = None

    def __repr__(self) -> str:
        return (
            f"Message(external_id={self.external_id!r}, "
            f"recipient_id={mask_recipient(self.recipient_id)!r}, title={self.title!r}, "
            f"attachment_name={self.attachment_name!r}, attachment=<{len(self.attachment)} bytes>, "
            f"paper_mail={self.paper_mail_address is not None})"
        )

    def validate(self) -> None:
        """Refuse locally what the API would refuse, naming the field and never the value of the
        recipient."""
        if not self.external_id.strip():
            raise ValueError("external_id must not be empty")
        if len(self.external_id) > EXTERNAL_ID_MAX_CHARS:
            raise ValueError(f"external_id must be at most {EXTERNAL_ID_MAX_CHARS} characters")
        recipient = self.recipient_id.upper()
        if not (_IDENTITY_CODE.fullmatch(recipient) or _BUSINESS_ID.fullmatch(recipient)):
            raise ValueError("recipient_id must be a personal identity code or a business ID")
        if not self.title.strip():
            raise ValueError("title must not be empty")
        if len(self.title) > TITLE_MAX_CHARS:
            raise ValueError(f"title must be at most {TITLE_MAX_CHARS} characters")
        if not self.body.strip():
            raise ValueError("body must not be empty")
        name = self.attachment_name
        if not name.strip():
            raise ValueError("attachment_name must not be empty")
        if len(name) > ATTACHMENT_NAME_MAX_CHARS:
            raise ValueError(f"attachment_name must be at most {ATTACHMENT_NAME_MAX_CHARS} chars")
        if "/" in name or "\\" in name or any(ord(char) < 32 for char in name):
            raise ValueError("attachment_name must be a plain file name")
        if not name.lower().endswith(".pdf"):
            raise ValueError("attachment_name must end with .pdf")
        if not self.attachment.startswith(b"%PDF-"):
            raise ValueError("attachment must be a PDF document")
        if len(self.attachment) > ATTACHMENT_MAX_BYTES:
            raise ValueError(f"attachment must be at most {ATTACHMENT_MAX_BYTES} bytes")
        if self.paper_mail_address is not None:
            self.paper_mail_address.validate("paper_mail_address")
            if self.sender_address is None:
                raise ValueError("sender_address is required with paper_mail_address")
        if self.sender_address is not None:
            self.sender_address.validate("sender_address")


@dataclass(frozen=True)
class SentMessage:
    """What Suomi.fi accepted. `channel` is "electronic" when the message went to the electronic
    mailbox only; a multichannel message is "suomifi" because the API does not say at send time
    whether it will be delivered electronically or printed (message events tell that later)."""

    message_id: str
    external_id: str
    channel: str


class MessagesError(Exception):
    """Suomi.fi Messages did not take the message.

    `retryable` is True when trying again later may help (5xx, 429, timeouts, connection
    failures) and False when the request itself is wrong (4xx: bad request, recipient without a
    mailbox, ...). The text never contains an unmasked identity code."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(mask_identity_codes(message))
        self.retryable = retryable
        self.status = status


class _Unauthorized(Exception):
    """The API refused the access token: get a new one and try once more."""


def _api_reason(body: bytes) -> str:
    """The API's own explanation from an error body: `reason` and validation errors (eVaka's
    ApiError), or an `error`/`message` field, or the start of the text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if not isinstance(data, dict):
        return text[:300]
    parts: list[str] = []
    for key in ("reason", "error", "message", "title", "detail"):
        value = data.get(key)
        if isinstance(value, str) and value and value not in parts:
            parts.append(value)
    errors = data.get("validationErrors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and isinstance(item.get("error"), str):
                parts.append(item["error"])
            elif isinstance(item, str):
                parts.append(item)
    return "; ".join(parts) if parts else text[:300]


def _is_retryable_status(status: int) -> bool:
    return status >= 500 or status in (408, 425, 429)


class MessagesClient:
    """Sends messages through one Suomi.fi Messages service.

    Thread-safe: the access token is shared and renewed under a lock. The token is reused until
    shortly before it expires, and renewed at once when the API answers 401."""

    def __init__(self, config: MessagesConfig) -> None:
        _check_url(config.base_url, "base_url")
        self._config = config
        self._base_url = config.base_url.rstrip("/")
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_valid_until = 0.0
        # The API's idempotency makes retries safe; remembering what this process has already
        # sent saves the upload and the round trip when a caller repeats itself.
        self._sent: dict[str, SentMessage] = {}

    # -- public -------------------------------------------------------------------------------

    def send(self, message: Message) -> SentMessage:
        """Upload the PDF and send the message; returns the message the API created, or the one
        it had already created for the same external_id."""
        message.validate()
        paper = message.paper_mail_address is not None
        if paper and not self._config.paper_mail_enabled:
            raise ValueError(
                "paper_mail_address needs the Posti Messaging credentials in the config "
                f"({_ENVIRONMENT_PREFIX}POSTI_EMAIL, _POSTI_USERNAME, _POSTI_PASSWORD)"
            )
        with self._lock:
            already = self._sent.get(message.external_id)
        if already is not None:
            return already
        what = f"message {message.external_id!r} to {mask_recipient(message.recipient_id)}"
        try:
            attachment_id = self._authorized(
                lambda token: self._upload(token, message.attachment_name, message.attachment),
                what,
            )
            payload = self._payload(message, attachment_id)
            path = MESSAGES_PATH if paper else ELECTRONIC_MESSAGES_PATH
            message_id = self._authorized(
                lambda token: self._post_message(token, path, payload), what
            )
        except MessagesError as error:
            logger.warning("Suomi.fi Messages: %s", error)
            raise
        sent = SentMessage(
            message_id=message_id,
            external_id=message.external_id,
            channel="suomifi" if paper else "electronic",
        )
        with self._lock:
            self._sent[message.external_id] = sent
        logger.info(
            "Suomi.fi Messages: sent %r as message %s (%s)",
            message.external_id,
            message_id,
            sent.channel,
        )
        return sent

    # -- requests -----------------------------------------------------------------------------

    def _authorized(self, call: Callable[[str], _T], what: str) -> _T:
        """Run `call(token)`; on 401 drop the token, get a new one and run it once more."""
        token = self._get_token(what)
        try:
            return call(token)
        except _Unauthorized:
            self._forget_token(token)
        token = self._get_token(what)
        try:
            return call(token)
        except _Unauthorized:
            self._forget_token(token)
            raise MessagesError(
                f"Suomi.fi Messages refused a fresh access token while sending {what} (HTTP 401)",
                retryable=False,
                status=401,
            ) from None

    def _get_token(self, what: str) -> str:
        with self._lock:
            if self._token is not None and time.monotonic() < self._token_valid_until:
                return self._token
            status, body = self._request(
                "POST",
                TOKEN_PATH,
                json.dumps(
                    {"username": self._config.username, "password": self._config.password}
                ).encode(),
                {"Content-Type": "application/json", "Accept": "application/json"},
                what,
            )
            if status != 200:
                raise MessagesError(
                    f"Suomi.fi Messages access token request failed while sending {what}: "
                    f"HTTP {status}: {_api_reason(body)}",
                    retryable=_is_retryable_status(status),
                    status=status,
                )
            data = self._json(body, "access token", what)
            token = data.get("access_token")
            if not isinstance(token, str) or not token:
                raise MessagesError(
                    f"Suomi.fi Messages access token response had no access_token ({what})",
                    retryable=True,
                    status=status,
                )
            expires_in = data.get("expires_in")
            lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
            # Unverified against the live API: expires_in is assumed to be seconds as in OAuth 2.0
            # (RFC 6749, which eVaka's AccessTokenResponse cites); without it one hour is assumed
            # and a 401 renews the token anyway.
            self._token = token
            self._token_valid_until = time.monotonic() + max(
                lifetime - TOKEN_EXPIRY_MARGIN_SECONDS, lifetime / 2
            )
            return token

    def _forget_token(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _upload(self, token: str, name: str, data: bytes) -> str:
        boundary = f"kuntarobo-{uuid.uuid4().hex}"
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'.encode(),
                f"Content-Type: {PDF_CONTENT_TYPE}\r\n\r\n".encode(),
                data,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        status, response = self._request(
            "POST",
            ATTACHMENTS_PATH,
            body,
            {
                # eVaka (in production) sends "Bearer <token>"; token_type in the answer is Bearer.
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
            },
            f"attachment {name!r}",
        )
        if status == 401:
            raise _Unauthorized
        if status not in (200, 201):
            raise MessagesError(
                f"Suomi.fi Messages attachment upload of {name!r} failed: "
                f"HTTP {status}: {_api_reason(response)}",
                retryable=_is_retryable_status(status),
                status=status,
            )
        attachment_id = self._json(response, "attachment", name).get("attachmentId")
        if not isinstance(attachment_id, str) or not attachment_id:
            raise MessagesError(
                f"Suomi.fi Messages attachment response had no attachmentId ({name!r})",
                retryable=True,
                status=status,
            )
        return attachment_id

    def _payload(self, message: Message, attachment_id: str) -> dict[str, Any]:
        attachments = [{"attachmentId": attachment_id}]
        payload: dict[str, Any] = {
            "externalId": message.external_id,
            "recipient": {"id": message.recipient_id.upper()},
            "sender": {"serviceId": self._config.service_id},
            "electronic": {
                "title": message.title,
                "body": message.body,
                "bodyFormat": "Text",
                "messageServiceType": "Normal",
                "replyAllowedBy": "No one",
                "visibility": "Normal",
                "attachments": attachments,
                "notifications": {
                    "senderDetailsInNotifications": "Organisation and service name",
                    "unreadMessageNotification": {"reminder": "Default reminder"},
                },
            },
        }
        if message.paper_mail_address is not None and message.sender_address is not None:
            payload["paperMail"] = {
                "attachments": attachments,
                # Decisions print fine in black and white, which is the cheaper option.
                "colorPrinting": False,
                # Suomi.fi adds a page with the recipient's address for the envelope window, so
                # the PDF's own layout does not matter for the envelope.
                "createAddressPage": True,
                "messageServiceType": "Normal",
                "rotateLandscapePages": False,
                "twoSidedPrinting": True,
                "printingAndEnvelopingService": {
                    "postiMessaging": {
                        "contactDetails": {"email": self._config.posti_email},
                        "username": self._config.posti_username,
                        "password": self._config.posti_password,
                    }
                },
                "recipient": {"address": message.paper_mail_address.to_api()},
                "sender": {"address": message.sender_address.to_api()},
            }
        return payload

    def _post_message(self, token: str, path: str, payload: dict[str, Any]) -> str:
        external_id = payload["externalId"]
        what = f"message {external_id!r} to {mask_recipient(payload['recipient']['id'])}"
        status, response = self._request(
            "POST",
            path,
            json.dumps(payload, ensure_ascii=False).encode(),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
            },
            what,
        )
        if status == 401:
            raise _Unauthorized
        if status == 409:
            # The API already has a message with this externalId (an earlier attempt whose
            # answer was lost): it reports that message's id, which is the delivery we want.
            existing = self._message_id_or_none(response)
            if existing is not None:
                logger.info(
                    "Suomi.fi Messages: %r was already sent as message %s", external_id, existing
                )
                return existing
            raise MessagesError(
                f"Suomi.fi Messages says {what} was already sent but gave no message id: "
                f"{_api_reason(response)}",
                retryable=False,
                status=status,
            )
        if status != 200 and status != 201:
            raise MessagesError(
                f"Suomi.fi Messages refused {what}: HTTP {status}: {_api_reason(response)}",
                retryable=_is_retryable_status(status),
                status=status,
            )
        message_id = self._message_id_or_none(response)
        if message_id is None:
            raise MessagesError(
                f"Suomi.fi Messages response for {what} had no messageId",
                retryable=True,
                status=status,
            )
        return message_id

    @staticmethod
    def _message_id_or_none(body: bytes) -> str | None:
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        message_id = data.get("messageId")
        if isinstance(message_id, bool) or not isinstance(message_id, int | str):
            return None
        return str(message_id) if str(message_id) else None

    @staticmethod
    def _json(body: bytes, kind: str, what: str) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise MessagesError(
                f"Suomi.fi Messages {kind} response was not a JSON object ({what})",
                retryable=True,
            )
        return data

    def _request(
        self, method: str, path: str, body: bytes, headers: dict[str, str], what: str
    ) -> tuple[int, bytes]:
        """One HTTP exchange: (status, body) for any HTTP answer, MessagesError(retryable) when
        there is none (connection refused or reset, timeout, DNS failure)."""
        url = self._base_url + path
        _check_url(url, "base_url")  # the scheme check that makes the urlopen below safe
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(  # noqa: S310 - http(s) only, checked above
                request, timeout=self._config.timeout_seconds
            ) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return int(error.code), bytes(error.read())
        except TimeoutError as error:
            raise MessagesError(
                f"Suomi.fi Messages did not answer within {self._config.timeout_seconds:g} s "
                f"({method} {path}, {what})",
                retryable=True,
            ) from error
        except urllib.error.URLError as error:
            raise MessagesError(
                f"Suomi.fi Messages could not be reached ({method} {path}, {what}): {error.reason}",
                retryable=True,
            ) from error
        except (OSError, http.client.HTTPException) as error:
            # A connection reset or a garbled answer (RemoteDisconnected, IncompleteRead, ...).
            raise MessagesError(
                f"Suomi.fi Messages connection failed ({method} {path}, {what}): {error}",
                retryable=True,
            ) from error
