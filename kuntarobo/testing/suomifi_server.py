"""A loopback stand-in for the Suomi.fi Messages REST API, for tests and local demos.

It implements the part of the contract that `kuntarobo.runtime.suomifi_messages` uses, and checks
requests as strictly as the real service documents them, so a client bug shows up here rather
than in the QA environment:

* POST /v1/token: JSON {username, password} → {access_token, token_type, expires_in}.
* POST /v2/attachments: bearer token, multipart/form-data with one part "file" (PDF) →
  201 {attachmentId}.
* POST /v2/messages (multichannel: electronic, or paper mail when the recipient has no active
  mailbox) and POST /v2/messages/electronic (electronic only) → {messageId}; a second message with
  the same externalId for the same service → 409 {reason, messageId of the first}.

Errors are JSON {reason, validationErrors: [{error}]} like the API's ApiError (as modelled by
eVaka's sficlient/rest/RestSchema.kt). Everything received is recorded for assertions, and the
server can be told to fail: an HTTP status for the next requests, a delay (before or after the
request has taken effect), or revoking every token so the next call gets 401.

Standard library only; runs `ThreadingHTTPServer` on 127.0.0.1, port 0, in a daemon thread.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

# Documented: the title of an electronic message can be up to 256 characters
# (kehittajille.suomi.fi, "Content of an electronic message").
TITLE_MAX_CHARS = 256
# Unverified against the live API: the size limit of one attachment; kept equal to the client's.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# File types the documentation lists for electronic attachments; paper mail takes only PDF.
ELECTRONIC_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/plain",
    }
)

_IDENTITY_CODE = re.compile(
    r"(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[-+YXWVUABCDEF]\d{3}[0-9ABCDEFHJKLMNPRSTUVWXY]"
)
_BUSINESS_ID = re.compile(r"\d{7}-\d")

_BODY_FORMATS = ("Text", "Markdown")
_SERVICE_TYPES = ("Normal", "Verifiable")
_REPLY_ALLOWED_BY = ("Anyone", "No one")
_VISIBILITIES = ("Normal", "Recipient only")
_SENDER_DETAILS = ("Organisation and service name", "None")
_REMINDERS = ("Default reminder", "No reminders")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived, and the status it was answered with."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class StoredAttachment:
    attachment_id: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredMessage:
    """A message the service accepted. `channel` is how it would be delivered: "electronic"
    when the recipient has an active mailbox, otherwise "paper"."""

    message_id: int
    external_id: str
    service_id: str
    recipient_id: str
    channel: str
    path: str
    payload: dict[str, Any]


@dataclass
class _Failure:
    status: int
    path: str | None
    times: int
    body: dict[str, Any] | None


@dataclass
class _Delay:
    seconds: float
    path: str | None
    times: int
    after_processing: bool


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> valid until (monotonic)
    attachments: dict[str, StoredAttachment] = field(default_factory=dict)
    messages: list[StoredMessage] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    delays: list[_Delay] = field(default_factory=list)


class _BadRequest(Exception):
    def __init__(self, status: int, reason: str, errors: list[str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.errors = errors or []


class SuomiFiMessagesServer:
    """The fake service. Use as a context manager (or start/stop) and point the client at
    `base_url` with the same username, password and service id."""

    def __init__(
        self,
        *,
        username: str = "kuntarobo-system",
        password: str = "test-password-1",  # noqa: S107 - a fake service's test credential
        service_id: str = "kuntarobo_varhaiskasvatus",
        token_lifetime_seconds: int = 3600,
        inactive_mailboxes: frozenset[str] = frozenset(),
        max_attachment_bytes: int = ATTACHMENT_MAX_BYTES,
        other_service_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.username = username
        self.password = password
        self.service_id = service_id
        # Further services the system account may send for (a shared-service centre's).
        self.service_ids = {service_id, *other_service_ids}
        self.token_lifetime_seconds = token_lifetime_seconds
        # Recipients without an active electronic mailbox: multichannel messages to them go to
        # paper mail, electronic-only messages are refused.
        self.inactive_mailboxes = set(inactive_mailboxes)
        self.max_attachment_bytes = max_attachment_bytes
        self._lock = threading.Lock()
        self._state = _State()
        self._message_ids = itertools.count(100001)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SuomiFiMessagesServer:
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="suomifi-messages-fake",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SuomiFiMessagesServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- what was received --------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return self.requests_to("/v1/token")

    @property
    def attachments(self) -> list[StoredAttachment]:
        with self._lock:
            return list(self._state.attachments.values())

    @property
    def messages(self) -> list[StoredMessage]:
        with self._lock:
            return list(self._state.messages)

    # -- telling it to misbehave --------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        path: str | None = None,
        times: int = 1,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` requests (to `path`, or any) with `status` before they take
        effect; `body` replaces the default error JSON."""
        with self._lock:
            self._state.failures.append(_Failure(status, path, times, body))

    def delay_next(
        self,
        seconds: float,
        *,
        path: str | None = None,
        times: int = 1,
        after_processing: bool = False,
    ) -> None:
        """Sleep before answering the next `times` requests. With `after_processing` the
        request takes effect first, so a client that gives up has lost only the answer."""
        with self._lock:
            self._state.delays.append(_Delay(seconds, path, times, after_processing))

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working: the next authorised call gets 401 once and a
        client that fetches a new token carries on."""
        with self._lock:
            self._state.tokens.clear()

    # -- used by the handler ------------------------------------------------------------------

    def _take(self, queue: list[Any], path: str) -> Any:
        with self._lock:
            for item in queue:
                if item.path is None or item.path == path:
                    item.times -= 1
                    if item.times <= 0:
                        queue.remove(item)
                    return item
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._state.requests.append(request)

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if path == "/v1/token":
            return self._token(headers, body)
        if path == "/v2/attachments":
            self._authorize(headers)
            return self._attachment(headers, body)
        if path in ("/v2/messages", "/v2/messages/electronic"):
            self._authorize(headers)
            return self._message(path, headers, body)
        raise _BadRequest(404, "Not found")

    def _token(self, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        data = _json_object(headers, body)
        errors = [
            f"{name} is required"
            for name in ("username", "password")
            if not isinstance(data.get(name), str) or not data[name]
        ]
        if errors:
            raise _BadRequest(400, "Bad request", errors)
        if not (
            secrets.compare_digest(data["username"], self.username)
            and secrets.compare_digest(data["password"], self.password)
        ):
            # Unverified against the live API: eVaka treats a 400 from the token endpoint as a
            # wrong password, so bad credentials are answered with 400 here.
            raise _BadRequest(400, "Invalid username or password")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._state.tokens[token] = time.monotonic() + self.token_lifetime_seconds
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime_seconds,
        }

    def _authorize(self, headers: dict[str, str]) -> None:
        # Unverified against the live API: eVaka sends "Bearer <token>" (so the service accepts
        # it); Helsinki's client sends the bare token, which this fake refuses on purpose.
        value = headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        with self._lock:
            valid_until = self._state.tokens.get(token.strip())
        if scheme.lower() != "bearer" or valid_until is None or time.monotonic() >= valid_until:
            raise _BadRequest(401, "Unauthorized")

    def _attachment(self, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        content_type = headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in (
            content_type
        ):
            raise _BadRequest(415, "Expected multipart/form-data with a boundary")
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        if not parsed.is_multipart():
            raise _BadRequest(400, "Malformed multipart body")
        parts = [
            part
            for part in parsed.iter_parts()
            if part.get_param("name", header="content-disposition")
        ]
        files = [
            part for part in parts if part.get_param("name", header="content-disposition") == "file"
        ]
        if len(parts) != 1 or len(files) != 1:
            raise _BadRequest(
                400, "Bad request", ["exactly one form part named 'file' is required"]
            )
        part = files[0]
        filename = part.get_filename()
        if not filename:
            raise _BadRequest(400, "Bad request", ["file must have a filename"])
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            raise _BadRequest(400, "Bad request", ["file must not be empty"])
        if len(data) > self.max_attachment_bytes:
            raise _BadRequest(413, f"Attachment exceeds {self.max_attachment_bytes} bytes")
        part_type = part.get_content_type()
        if part_type not in ELECTRONIC_CONTENT_TYPES:
            raise _BadRequest(415, f"Unsupported attachment type {part_type}")
        if part_type == "application/pdf" and not data.startswith(b"%PDF-"):
            raise _BadRequest(400, "Bad request", ["file is not a PDF document"])
        attachment_id = str(uuid.uuid4())
        with self._lock:
            self._state.attachments[attachment_id] = StoredAttachment(
                attachment_id, filename, part_type, data
            )
        return 201, {"attachmentId": attachment_id}

    def _message(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        data = _json_object(headers, body)
        multichannel = path == "/v2/messages"
        errors = _MessageValidator(self, multichannel).validate(data)
        if errors:
            raise _BadRequest(400, "Bad request", errors)
        service_id = data["sender"]["serviceId"]
        if service_id not in self.service_ids:
            # Unverified against the live API: the status for a service the system may not use.
            raise _BadRequest(403, "The system is not allowed to send for this service")
        recipient_id = data["recipient"]["id"]
        active = recipient_id not in self.inactive_mailboxes
        if not multichannel and not active:
            # Unverified against the live API: the status for an electronic-only message to a
            # recipient without an active mailbox.
            raise _BadRequest(400, "The recipient does not have an active mailbox")
        with self._lock:
            for existing in self._state.messages:
                if existing.service_id == service_id and existing.external_id == data["externalId"]:
                    return 409, {
                        "reason": "A message with the same externalId already exists",
                        "messageId": existing.message_id,
                    }
            message = StoredMessage(
                message_id=next(self._message_ids),
                external_id=data["externalId"],
                service_id=service_id,
                recipient_id=recipient_id,
                channel="electronic" if active else "paper",
                path=path,
                payload=data,
            )
            self._state.messages.append(message)
        return 200, {"messageId": message.message_id}


def _json_object(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise _BadRequest(415, "Expected application/json")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _BadRequest(400, "Malformed JSON") from None
    if not isinstance(data, dict):
        raise _BadRequest(400, "Expected a JSON object")
    return data


class _MessageValidator:
    """Collects every problem of a message body, as the API lists validation errors."""

    def __init__(self, fake: SuomiFiMessagesServer, multichannel: bool) -> None:
        self.fake = fake
        self.multichannel = multichannel
        self.errors: list[str] = []

    def validate(self, data: dict[str, Any]) -> list[str]:
        allowed = {"externalId", "electronic", "recipient", "sender"}
        if self.multichannel:
            allowed.add("paperMail")
        # Unverified against the live API: unknown top-level fields are refused here so a typo
        # (or paper mail sent to the electronic-only endpoint) cannot pass silently.
        for key in sorted(set(data) - allowed):
            self.errors.append(f"{key} is not allowed")
        self.text(data, "externalId")
        recipient = self.obj(data, "recipient")
        if recipient is not None and self.text(recipient, "id", "recipient.id"):
            value = recipient["id"]
            if not (_IDENTITY_CODE.fullmatch(value) or _BUSINESS_ID.fullmatch(value)):
                self.errors.append("recipient.id must be a personal identity code or business ID")
        sender = self.obj(data, "sender")
        if sender is not None:
            self.text(sender, "serviceId", "sender.serviceId")
        electronic = self.obj(data, "electronic")
        if electronic is not None:
            self.electronic(electronic)
        if self.multichannel:
            paper = self.obj(data, "paperMail")
            if paper is not None:
                self.paper(paper)
        return self.errors

    def electronic(self, part: dict[str, Any]) -> None:
        if self.text(part, "title", "electronic.title") and len(part["title"]) > TITLE_MAX_CHARS:
            self.errors.append(f"electronic.title must be at most {TITLE_MAX_CHARS} characters")
        self.text(part, "body", "electronic.body")
        self.choice(part, "bodyFormat", _BODY_FORMATS, "electronic")
        self.choice(part, "messageServiceType", _SERVICE_TYPES, "electronic")
        self.choice(part, "replyAllowedBy", _REPLY_ALLOWED_BY, "electronic")
        self.choice(part, "visibility", _VISIBILITIES, "electronic")
        self.attachments(part, "electronic", pdf_only=False, exactly_one=False)
        notifications = self.obj(part, "notifications", "electronic.notifications")
        if notifications is not None:
            self.choice(
                notifications,
                "senderDetailsInNotifications",
                _SENDER_DETAILS,
                "electronic.notifications",
            )
            unread = self.obj(
                notifications,
                "unreadMessageNotification",
                "electronic.notifications.unreadMessageNotification",
            )
            if unread is not None:
                self.choice(unread, "reminder", _REMINDERS, "electronic.notifications.unread...")

    def paper(self, part: dict[str, Any]) -> None:
        for flag in (
            "colorPrinting",
            "createAddressPage",
            "rotateLandscapePages",
            "twoSidedPrinting",
        ):
            if not isinstance(part.get(flag), bool):
                self.errors.append(f"paperMail.{flag} must be true or false")
        self.choice(part, "messageServiceType", _SERVICE_TYPES, "paperMail")
        # Paper mail is printed from one PDF (kehittajille.suomi.fi: "all content must be placed
        # in a single PDF file").
        self.attachments(part, "paperMail", pdf_only=True, exactly_one=True)
        service = self.obj(part, "printingAndEnvelopingService", "paperMail.printing...")
        posti = (
            self.obj(service, "postiMessaging", "paperMail.printingAndEnvelopingService.posti...")
            if service is not None
            else None
        )
        if posti is not None:
            self.text(posti, "username", "postiMessaging.username")
            self.text(posti, "password", "postiMessaging.password")
            contact = self.obj(posti, "contactDetails", "postiMessaging.contactDetails")
            if contact is not None:
                self.text(contact, "email", "postiMessaging.contactDetails.email")
        for side in ("recipient", "sender"):
            holder = self.obj(part, side, f"paperMail.{side}")
            address = (
                self.obj(holder, "address", f"paperMail.{side}.address")
                if holder is not None
                else None
            )
            if address is not None:
                for key in ("name", "streetAddress", "zipCode", "city"):
                    self.text(address, key, f"paperMail.{side}.address.{key}")
                code = address.get("countryCode")
                if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
                    self.errors.append(
                        f"paperMail.{side}.address.countryCode must be ISO 3166-1 alpha-2"
                    )

    def attachments(
        self, part: dict[str, Any], where: str, *, pdf_only: bool, exactly_one: bool
    ) -> None:
        items = part.get("attachments")
        if not isinstance(items, list):
            self.errors.append(f"{where}.attachments must be a list")
            return
        if exactly_one and len(items) != 1:
            self.errors.append(f"{where}.attachments must contain exactly one PDF")
        with self.fake._lock:
            known = dict(self.fake._state.attachments)
        for item in items:
            attachment_id = item.get("attachmentId") if isinstance(item, dict) else None
            stored = known.get(attachment_id) if isinstance(attachment_id, str) else None
            if stored is None:
                self.errors.append(f"{where}.attachments refers to an unknown attachmentId")
            elif pdf_only and stored.content_type != "application/pdf":
                self.errors.append(f"{where}.attachments must be PDF documents")

    def obj(
        self, data: dict[str, Any], key: str, label: str | None = None
    ) -> dict[str, Any] | None:
        value = data.get(key)
        if isinstance(value, dict):
            return value
        self.errors.append(f"{label or key} is required")
        return None

    def text(self, data: dict[str, Any], key: str, label: str | None = None) -> bool:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return True
        self.errors.append(f"{label or key} is required")
        return False

    def choice(self, data: dict[str, Any], key: str, options: tuple[str, ...], where: str) -> None:
        if data.get(key) not in options:
            self.errors.append(f"{where}.{key} must be one of {', '.join(options)}")


class _Handler(BaseHTTPRequestHandler):
    fake: SuomiFiMessagesServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the requests are recorded, and the test output stays readable."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        path = self.path.split("?")[0]
        headers = {key.lower(): value for key, value in self.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        failure = self.fake._take(self.fake._state.failures, path)
        delay = self.fake._take(self.fake._state.delays, path)
        if delay is not None and not delay.after_processing:
            time.sleep(delay.seconds)
        if failure is not None:
            status = failure.status
            payload: Any = failure.body or {"reason": f"Injected failure (HTTP {status})"}
        elif self.command != "POST":
            status, payload = 405, {"reason": "Method not allowed"}
        else:
            try:
                status, payload = self.fake._handle(path, headers, body)
            except _BadRequest as error:
                status = error.status
                payload = {"reason": error.reason}
                if error.errors:
                    payload["validationErrors"] = [{"error": text} for text in error.errors]
        self.fake._record(RecordedRequest(self.command, path, headers, body, status))
        if delay is not None and delay.after_processing:
            time.sleep(delay.seconds)
        encoded = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test): nothing to answer to
