"""The Suomi.fi Messages client against the loopback server: what reaches the service, token
handling, idempotency by externalId, error classification and masking, input validation and the
configuration from the environment. No database is needed."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import pytest

from kuntarobo.runtime.suomifi_messages import (
    ATTACHMENT_MAX_BYTES,
    ELECTRONIC_MESSAGES_PATH,
    MESSAGES_PATH,
    TITLE_MAX_CHARS,
    Message,
    MessagesClient,
    MessagesConfig,
    MessagesError,
    PostalAddress,
    mask_recipient,
)
from kuntarobo.testing.suomifi_server import SuomiFiMessagesServer
from tests.loopback import free_port

IDENTITY_CODE = "131052-308T"
MASKED = "131052-****"
# Binary on purpose: line ends of every kind, NUL and high bytes must survive the multipart body.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\r<<>>\nendobj\n\x00\xff trailer\r\n%%EOF\n"
RECIPIENT_ADDRESS = PostalAddress("Maija Meikäläinen", "Koulukatu 3 B 12", "33100", "Tampere")
SENDER_ADDRESS = PostalAddress("Esimerkkilän kunta, varhaiskasvatus", "PL 100", "33101", "Tampere")


@pytest.fixture
def server() -> Iterator[SuomiFiMessagesServer]:
    with SuomiFiMessagesServer() as running:
        yield running


def config_for(server: SuomiFiMessagesServer, **overrides: object) -> MessagesConfig:
    values: dict[str, object] = {
        "base_url": server.base_url,
        "username": server.username,
        "password": server.password,
        "service_id": server.service_id,
        "timeout_seconds": 5.0,
        "posti_email": "tulostus@esimerkkila.fi",
        "posti_username": "posti-user",
        "posti_password": "posti-secret",
    }
    values.update(overrides)
    return MessagesConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(server: SuomiFiMessagesServer) -> MessagesClient:
    return MessagesClient(config_for(server))


def decision(external_id: str = "fee-decision-2025-0001", **overrides: object) -> Message:
    message = Message(
        external_id=external_id,
        recipient_id=IDENTITY_CODE,
        title="Varhaiskasvatuksen asiakasmaksupäätös",
        body="Liitteenä päätös varhaiskasvatuksen asiakasmaksusta 1.8.2025 alkaen.",
        attachment_name="asiakasmaksupaatos-2025-0001.pdf",
        attachment=PDF,
        paper_mail_address=RECIPIENT_ADDRESS,
        sender_address=SENDER_ADDRESS,
    )
    return replace(message, **overrides)  # type: ignore[arg-type]


# -- what reaches the service -----------------------------------------------------------------


def test_a_message_reaches_the_service_as_token_attachment_and_message_requests(server, client):
    sent = client.send(decision())

    assert [request.path for request in server.requests] == [
        "/v1/token",
        "/v2/attachments",
        MESSAGES_PATH,
    ]
    token_request = server.token_requests[0]
    assert token_request.headers["content-type"] == "application/json"
    assert token_request.json() == {"username": server.username, "password": server.password}

    upload = server.requests_to("/v2/attachments")[0]
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert upload.headers["authorization"].startswith("Bearer ")
    [attachment] = server.attachments
    assert attachment.data == PDF
    assert attachment.content_type == "application/pdf"
    assert attachment.filename == "asiakasmaksupaatos-2025-0001.pdf"

    [message] = server.messages
    payload = message.payload
    assert payload["recipient"] == {"id": IDENTITY_CODE}
    assert payload["sender"] == {"serviceId": server.service_id}
    assert payload["externalId"] == "fee-decision-2025-0001"
    assert payload["electronic"]["title"] == "Varhaiskasvatuksen asiakasmaksupäätös"
    assert payload["electronic"]["body"].startswith("Liitteenä päätös")
    reference = [{"attachmentId": attachment.attachment_id}]
    assert payload["electronic"]["attachments"] == reference
    paper = payload["paperMail"]
    assert paper["attachments"] == reference
    assert paper["recipient"]["address"] == {
        "name": "Maija Meikäläinen",
        "streetAddress": "Koulukatu 3 B 12",
        "zipCode": "33100",
        "city": "Tampere",
        "countryCode": "FI",
    }
    assert paper["sender"]["address"]["name"] == "Esimerkkilän kunta, varhaiskasvatus"
    assert paper["printingAndEnvelopingService"]["postiMessaging"]["username"] == "posti-user"

    assert sent.message_id == str(message.message_id)
    assert sent.external_id == "fee-decision-2025-0001"
    assert sent.channel == "suomifi"  # the API does not say at send time which channel it takes


def test_a_recipient_without_a_mailbox_gets_the_multichannel_message_on_paper():
    with SuomiFiMessagesServer(inactive_mailboxes=frozenset({IDENTITY_CODE})) as server:
        sent = MessagesClient(config_for(server)).send(decision())

        [message] = server.messages
        assert message.channel == "paper"
        assert sent.message_id == str(message.message_id)


def test_a_message_without_a_postal_address_goes_to_the_electronic_mailbox_only(server, client):
    sent = client.send(decision(paper_mail_address=None, sender_address=None))

    [message] = server.messages
    assert message.path == ELECTRONIC_MESSAGES_PATH
    assert "paperMail" not in message.payload
    assert sent.channel == "electronic"


def test_an_electronic_only_message_to_a_recipient_without_a_mailbox_is_refused():
    with SuomiFiMessagesServer(inactive_mailboxes=frozenset({IDENTITY_CODE})) as server:
        client = MessagesClient(config_for(server))
        with pytest.raises(MessagesError) as caught:
            client.send(decision(paper_mail_address=None, sender_address=None))

        assert caught.value.retryable is False
        assert caught.value.status == 400
        assert "does not have an active mailbox" in str(caught.value)
        assert server.messages == []


# -- the access token -------------------------------------------------------------------------


def test_the_token_is_reused_across_sends(server, client):
    client.send(decision("decision-1"))
    client.send(decision("decision-2"))

    assert len(server.token_requests) == 1
    assert len(server.messages) == 2


def test_a_401_gets_a_new_token_and_the_send_goes_through(server, client):
    client.send(decision("decision-1"))
    server.revoke_tokens()

    sent = client.send(decision("decision-2"))

    assert len(server.token_requests) == 2
    assert [request.status for request in server.requests_to("/v2/attachments")] == [201, 401, 201]
    assert sent.message_id == str(server.messages[-1].message_id)


def test_a_401_on_the_message_itself_also_renews_the_token(server, client):
    client.send(decision("decision-1"))
    server.fail_next(401, path=MESSAGES_PATH)

    client.send(decision("decision-2"))

    assert len(server.token_requests) == 2
    assert len(server.messages) == 2


def test_a_token_is_renewed_before_it_expires():
    with SuomiFiMessagesServer(token_lifetime_seconds=1) as server:
        client = MessagesClient(config_for(server))
        client.send(decision("decision-1"))
        time.sleep(0.6)  # past half of the lifetime, which is all a one-second token is trusted
        client.send(decision("decision-2"))

        assert len(server.token_requests) == 2
        assert all(request.status != 401 for request in server.requests)


def test_a_refused_login_is_not_retryable_and_names_the_api_reason(server):
    client = MessagesClient(config_for(server, password="wrong-password"))

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.retryable is False
    assert caught.value.status == 400
    assert "Invalid username or password" in str(caught.value)
    assert "wrong-password" not in str(caught.value)


def test_a_token_that_is_refused_twice_stops_the_send(server, client):
    server.fail_next(401, path="/v2/attachments", times=2)

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.status == 401
    assert caught.value.retryable is False


# -- idempotency ------------------------------------------------------------------------------


def test_sending_the_same_external_id_again_returns_the_first_message(server, client):
    first = client.send(decision())
    second = client.send(decision())

    assert second == first
    assert len(server.messages) == 1
    assert len(server.attachments) == 1  # nothing is uploaded again either


def test_another_process_sending_the_same_external_id_gets_the_first_message_id(server, client):
    first = client.send(decision())

    second = MessagesClient(config_for(server)).send(decision())

    assert second.message_id == first.message_id
    assert len(server.messages) == 1
    assert server.requests_to(MESSAGES_PATH)[-1].status == 409


def test_a_send_whose_answer_was_lost_is_retried_without_a_second_message(server):
    client = MessagesClient(config_for(server, timeout_seconds=0.3))
    server.delay_next(1.0, path=MESSAGES_PATH, after_processing=True)

    with pytest.raises(MessagesError) as caught:
        client.send(decision())
    assert caught.value.retryable is True
    assert len(server.messages) == 1  # the service did take it; only the answer was lost

    retried = client.send(decision())

    assert retried.message_id == str(server.messages[0].message_id)
    assert len(server.messages) == 1


def test_the_same_external_id_for_another_recipient_is_still_the_first_message(server, client):
    """externalId is the caller's key: reusing it is a caller bug that must not double-send."""
    client.send(decision())

    again = MessagesClient(config_for(server)).send(decision(recipient_id="010101A123N"))

    assert again.message_id == str(server.messages[0].message_id)
    assert len(server.messages) == 1


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_side_failures_are_retryable(server, client, status):
    server.fail_next(status, path=MESSAGES_PATH)

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.retryable is True
    assert caught.value.status == status
    assert server.messages == []


def test_a_503_on_the_token_request_is_retryable(server, client):
    server.fail_next(503, path="/v1/token")

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.retryable is True
    assert caught.value.status == 503


def test_a_400_is_not_retryable_and_carries_the_api_message(server, client):
    server.fail_next(
        400,
        path=MESSAGES_PATH,
        body={
            "reason": "Bad request",
            "validationErrors": [{"error": "recipient.id: recipient not found"}],
        },
    )

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.retryable is False
    assert caught.value.status == 400
    assert "Bad request" in str(caught.value)
    assert "recipient not found" in str(caught.value)


def test_a_refused_attachment_is_not_retryable(server, client):
    server.fail_next(415, path="/v2/attachments", body={"reason": "Unsupported media type"})

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.retryable is False
    assert "Unsupported media type" in str(caught.value)


def test_a_refused_connection_is_retryable():
    port = free_port()
    config = MessagesConfig(f"http://127.0.0.1:{port}", "user", "pass", "service", 2.0)

    with pytest.raises(MessagesError) as caught:
        MessagesClient(config).send(decision(paper_mail_address=None, sender_address=None))

    assert caught.value.retryable is True
    assert caught.value.status is None


def test_a_timeout_is_retryable(server):
    client = MessagesClient(config_for(server, timeout_seconds=0.3))
    server.delay_next(1.5, path="/v2/attachments")

    started = time.monotonic()
    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert time.monotonic() - started < 1.4
    assert caught.value.retryable is True
    assert caught.value.status is None
    assert server.messages == []


def test_the_identity_code_is_masked_in_every_error(server):
    client = MessagesClient(config_for(server, timeout_seconds=0.3))
    errors: list[MessagesError] = []

    def attempt(message: Message) -> None:
        with pytest.raises(MessagesError) as caught:
            client.send(message)
        errors.append(caught.value)

    server.fail_next(503, path=MESSAGES_PATH)
    attempt(decision("a"))
    server.fail_next(400, path=MESSAGES_PATH, body={"reason": f"No such person {IDENTITY_CODE}"})
    attempt(decision("b"))
    server.fail_next(409, path=MESSAGES_PATH, body={"reason": f"Duplicate for {IDENTITY_CODE}"})
    attempt(decision("c"))
    server.delay_next(1.0, path=MESSAGES_PATH)
    attempt(decision("d"))
    server.fail_next(200, path=MESSAGES_PATH, body={"unexpected": IDENTITY_CODE})
    attempt(decision("e"))
    refused = MessagesClient(MessagesConfig(f"http://127.0.0.1:{free_port()}", "u", "p", "s", 1.0))
    with pytest.raises(MessagesError) as caught:
        refused.send(decision("f", paper_mail_address=None, sender_address=None))
    errors.append(caught.value)

    assert len(errors) == 6
    for error in errors:
        assert IDENTITY_CODE not in str(error)
        assert "308T" not in str(error)
        assert IDENTITY_CODE not in repr(error.args)
    assert all(MASKED in str(error) for error in errors)


def test_a_message_shows_its_recipient_masked():
    assert IDENTITY_CODE not in repr(decision())
    assert MASKED in repr(decision())
    assert mask_recipient("010101A123N") == "010101A****"
    assert mask_recipient("1234567-8") == "1234567-8"  # business IDs are public
    assert mask_recipient("nonsense") == "***"


def test_errors_and_logs_keep_the_identity_code_out(server, client, caplog):
    caplog.set_level("DEBUG", logger="kuntarobo.runtime.suomifi_messages")
    client.send(decision("logged"))
    server.fail_next(400, path=MESSAGES_PATH, body={"reason": f"Bad {IDENTITY_CODE}"})
    with pytest.raises(MessagesError):
        client.send(decision("logged-too"))

    assert caplog.records
    assert IDENTITY_CODE not in caplog.text


# -- validation before sending ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"external_id": " "}, "external_id"),
        ({"recipient_id": "131052-308"}, "recipient_id"),
        ({"title": ""}, "title"),
        ({"title": "x" * (TITLE_MAX_CHARS + 1)}, "title"),
        ({"body": "  "}, "body"),
        ({"attachment_name": "paatos.docx"}, "attachment_name"),
        ({"attachment_name": "../paatos.pdf"}, "attachment_name"),
        ({"attachment": b"<html>not a pdf</html>"}, "attachment"),
        ({"attachment": PDF + b"0" * ATTACHMENT_MAX_BYTES}, "attachment"),
        ({"sender_address": None}, "sender_address"),
        ({"paper_mail_address": replace(RECIPIENT_ADDRESS, city="")}, "paper_mail_address.city"),
        (
            {"paper_mail_address": replace(RECIPIENT_ADDRESS, postal_code="331")},
            "paper_mail_address.postal_code",
        ),
        (
            {"sender_address": replace(SENDER_ADDRESS, country_code="Finland")},
            "sender_address.country_code",
        ),
    ],
)
def test_invalid_input_is_refused_before_anything_is_sent(server, client, overrides, field):
    with pytest.raises(ValueError, match=field) as caught:
        client.send(decision(**overrides))

    assert server.requests == []
    assert IDENTITY_CODE not in str(caught.value)


def test_a_title_of_exactly_the_api_limit_is_accepted(server, client):
    client.send(decision(title="x" * TITLE_MAX_CHARS))

    assert len(server.messages[0].payload["electronic"]["title"]) == TITLE_MAX_CHARS


def test_paper_mail_needs_the_posti_credentials(server):
    client = MessagesClient(
        config_for(server, posti_email=None, posti_username=None, posti_password=None)
    )

    with pytest.raises(ValueError, match="POSTI"):
        client.send(decision())

    assert server.requests == []


# -- configuration ----------------------------------------------------------------------------

FULL_ENVIRONMENT = {
    "KUNTAROBO_SUOMIFI_URL": "https://api.messages-qa.suomi.fi",
    "KUNTAROBO_SUOMIFI_USERNAME": "system-user",
    "KUNTAROBO_SUOMIFI_PASSWORD": "system-password",
    "KUNTAROBO_SUOMIFI_SERVICE_ID": "esimerkkila_varhaiskasvatus",
}


def test_without_a_url_in_the_environment_there_is_no_configuration():
    assert MessagesConfig.from_environment({}) is None
    assert MessagesConfig.from_environment({"KUNTAROBO_SUOMIFI_URL": "  "}) is None


def test_a_full_environment_gives_a_configuration():
    config = MessagesConfig.from_environment(
        {**FULL_ENVIRONMENT, "KUNTAROBO_SUOMIFI_TIMEOUT_SECONDS": "7.5"}
    )

    assert config == MessagesConfig(
        base_url="https://api.messages-qa.suomi.fi",
        username="system-user",
        password="system-password",
        service_id="esimerkkila_varhaiskasvatus",
        timeout_seconds=7.5,
    )
    assert config is not None
    assert config.paper_mail_enabled is False
    assert "system-password" not in repr(config)


@pytest.mark.parametrize(
    "missing",
    ["KUNTAROBO_SUOMIFI_USERNAME", "KUNTAROBO_SUOMIFI_PASSWORD", "KUNTAROBO_SUOMIFI_SERVICE_ID"],
)
def test_a_partly_set_environment_names_the_missing_variable(missing):
    environ = {key: value for key, value in FULL_ENVIRONMENT.items() if key != missing}

    with pytest.raises(ValueError, match=missing):
        MessagesConfig.from_environment(environ)


def test_partly_set_posti_credentials_name_the_missing_variable():
    environ = {
        **FULL_ENVIRONMENT,
        "KUNTAROBO_SUOMIFI_POSTI_EMAIL": "tulostus@esimerkkila.fi",
        "KUNTAROBO_SUOMIFI_POSTI_USERNAME": "posti-user",
    }

    with pytest.raises(ValueError, match="KUNTAROBO_SUOMIFI_POSTI_PASSWORD"):
        MessagesConfig.from_environment(environ)

    environ["KUNTAROBO_SUOMIFI_POSTI_PASSWORD"] = "posti-secret"
    config = MessagesConfig.from_environment(environ)
    assert config is not None
    assert config.paper_mail_enabled is True


@pytest.mark.parametrize(
    "url", ["http://api.messages.suomi.fi", "ftp://example.fi", "file:///etc/passwd", "suomi.fi"]
)
def test_only_https_is_accepted_except_on_loopback(url):
    with pytest.raises(ValueError, match="KUNTAROBO_SUOMIFI_URL"):
        MessagesConfig.from_environment({**FULL_ENVIRONMENT, "KUNTAROBO_SUOMIFI_URL": url})
    with pytest.raises(ValueError, match="base_url"):
        MessagesConfig(url, "user", "pass", "service")

    assert MessagesConfig("http://127.0.0.1:8080", "user", "pass", "service")


def test_a_bad_timeout_in_the_environment_is_named():
    with pytest.raises(ValueError, match="KUNTAROBO_SUOMIFI_TIMEOUT_SECONDS"):
        MessagesConfig.from_environment(
            {**FULL_ENVIRONMENT, "KUNTAROBO_SUOMIFI_TIMEOUT_SECONDS": "soon"}
        )


# -- the loopback server is as strict as the service ------------------------------------------


def raw_post(
    server: SuomiFiMessagesServer, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(server.base_url + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def token(server: SuomiFiMessagesServer) -> str:
    status, body = raw_post(
        server,
        "/v1/token",
        json.dumps({"username": server.username, "password": server.password}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200
    assert body["token_type"] == "Bearer"
    return str(body["access_token"])


def test_the_server_refuses_calls_without_a_bearer_token(server):
    status, body = raw_post(server, MESSAGES_PATH, b"{}", {"Content-Type": "application/json"})
    assert status == 401
    assert body == {"reason": "Unauthorized"}

    status, _ = raw_post(
        server,
        MESSAGES_PATH,
        b"{}",
        {"Content-Type": "application/json", "Authorization": token(server)},
    )
    assert status == 401  # the token alone, without "Bearer", is not enough


def test_the_server_refuses_a_token_request_that_is_not_json(server):
    status, _ = raw_post(server, "/v1/token", b"username=a&password=b", {})
    assert status == 415


def test_the_server_lists_what_is_wrong_with_a_message(server):
    status, body = raw_post(
        server,
        MESSAGES_PATH,
        json.dumps(
            {
                "externalId": "x",
                "recipient": {"id": "not-an-id"},
                "sender": {"serviceId": server.service_id},
                "electronic": {"title": "t" * 300, "attachments": [{"attachmentId": "nope"}]},
                "surprise": True,
            }
        ).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token(server)}"},
    )

    assert status == 400
    errors = " | ".join(item["error"] for item in body["validationErrors"])  # type: ignore[attr-defined]
    for expected in (
        "surprise is not allowed",
        "recipient.id must be",
        "electronic.title must be at most 256",
        "electronic.body is required",
        "unknown attachmentId",
        "paperMail is required",
    ):
        assert expected in errors
    assert server.messages == []


def test_the_server_refuses_an_attachment_that_is_not_a_pdf_upload(server):
    auth = {"Authorization": f"Bearer {token(server)}"}
    status, _ = raw_post(
        server, "/v2/attachments", PDF, {**auth, "Content-Type": "application/pdf"}
    )
    assert status == 415

    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\nnot really a pdf\r\n--{boundary}--\r\n"
    ).encode()
    status, response = raw_post(
        server,
        "/v2/attachments",
        body,
        {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 400
    assert "not a PDF" in json.dumps(response)
    assert server.attachments == []


def test_the_server_refuses_an_attachment_over_its_size_limit():
    with SuomiFiMessagesServer(max_attachment_bytes=len(PDF) - 1) as server:
        client = MessagesClient(config_for(server))
        with pytest.raises(MessagesError) as caught:
            client.send(decision())

        assert caught.value.status == 413
        assert caught.value.retryable is False


def test_the_server_refuses_another_service_id(server):
    client = MessagesClient(config_for(server, service_id="someone_elses_service"))

    with pytest.raises(MessagesError) as caught:
        client.send(decision())

    assert caught.value.status == 403
    assert caught.value.retryable is False
