"""A real OpenID Connect provider for the tests (django-oauth-toolkit in its own process):
`python -m kuntarobo.testing.oidc_provider CONFIG.json` serves it on 127.0.0.1 on a free port
and prints `LISTENING <url>`. Not part of the product; the tests start and stop it."""
