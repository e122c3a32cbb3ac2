"""A real SMTP server on loopback (plain, STARTTLS or implicit TLS with a self-signed
certificate), PDFs of a known page count, and a municipality with a staff member."""

from __future__ import annotations

import datetime
import io
import ipaddress
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kuntarobo.accounts.models import Role
from tests.factories import MunicipalityFactory, user_with_role
from tests.loopback import Mailbox, free_port


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A certificate for 127.0.0.1 that no system CA vouches for."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kuntarobo test relay")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "relay.pem"
    key_file = folder / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_file, key_file)


SmtpStarter = Callable[..., Mailbox]


@pytest.fixture
def start_smtp(settings) -> Iterator[SmtpStarter]:
    """Start an SMTP server: mode "plain", "starttls" (STARTTLS required) or "implicit"."""
    controllers: list[Controller] = []

    def start(mode: str = "plain", certificate: Certificate | None = None) -> Mailbox:
        mailbox = Mailbox()
        kwargs: dict[str, Any] = {}
        if mode == "starttls":
            assert certificate is not None
            kwargs = {"tls_context": certificate.server_context(), "require_starttls": True}
        elif mode == "implicit":
            assert certificate is not None
            kwargs = {"ssl_context": certificate.server_context()}
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        mailbox.port = controller.port
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_USE_TLS = mode == "starttls"
        settings.EMAIL_USE_SSL = mode == "implicit"
        settings.EMAIL_TIMEOUT = 10
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.DEFAULT_FROM_EMAIL = "kuntarobo@esimerkkila.fi"
        settings.KUNTAROBO_EMAIL_CA_FILE = ""
        settings.KUNTAROBO_EMAIL_VERIFY_CERTIFICATE = True
        return mailbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp(start_smtp: SmtpStarter) -> Mailbox:
    return start_smtp("plain")


@pytest.fixture
def municipality():
    return MunicipalityFactory(slug="esimerkkila", name_fi="Esimerkkilä", name_sv="Exempelby")


@pytest.fixture
def staff(municipality):
    return user_with_role(
        Role.REVIEWER, municipality, username="sanna", email="sanna.supervisor@esimerkkila.fi"
    )


@pytest.fixture
def settings_site(settings) -> None:
    settings.SITE_ROOT = "https://kuntarobo.esimerkkila.fi"


def pdf_with_pages(pages: int) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
