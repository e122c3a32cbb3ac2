"""Start the test identity provider: migrate a fresh SQLite database, create the users, groups
and client applications of CONFIG.json, and serve on 127.0.0.1 on a free port.

CONFIG.json: {"clients": [{"client_id", "client_secret", "name", "redirect_uris": [...],
"skip_consent": false}], "users": [{"username", "password", "first_name", "last_name",
"email", "groups": [...]}]}
"""

import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    workdir = Path(config.get("workdir") or tempfile.mkdtemp(prefix="oidc-provider-"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["OIDC_PROVIDER_RSA_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["OIDC_PROVIDER_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["OIDC_PROVIDER_DB"] = str(workdir / "provider.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kuntarobo.testing.oidc_provider.settings"

    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for spec in config["users"]:
        user = User.objects.create_user(
            spec["username"],
            email=spec.get("email", ""),
            password=spec["password"],
            first_name=spec.get("first_name", ""),
            last_name=spec.get("last_name", ""),
        )
        for name in spec.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    for client in config["clients"]:
        Application.objects.create(
            name=client.get("name", client["client_id"]),
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=client.get("skip_consent", False),
        )

    from django.core.wsgi import get_wsgi_application
    from waitress.server import TcpWSGIServer, create_server

    server = create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=4)
    assert isinstance(server, TcpWSGIServer)  # one host and port: one TCP server
    _, port = server.getsockname()
    print(f"LISTENING http://127.0.0.1:{port}", flush=True)  # noqa: T201
    server.run()


if __name__ == "__main__":
    main()
