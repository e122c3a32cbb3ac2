"""The vault's secrets are masked in everything the process masks, in the forms a page, a URL
or an XML file quotes them; a too short value is not taken for a secret."""

from __future__ import annotations

from kuntarobo.core.masking import (
    SECRET_MASK,
    mask_identity_codes,
    mask_secrets,
    mask_secrets_in_bytes,
    remember_secret,
)


def test_a_remembered_secret_is_masked_wherever_identity_codes_are():
    remember_secret("Kesä<&>Talvi 2026")
    text = "login as robotti with Kesä<&>Talvi 2026 and 131052-308T"
    assert mask_identity_codes(text) == f"login as robotti with {SECRET_MASK} and ******-****"


def test_the_html_and_url_forms_of_a_secret_are_masked_too():
    remember_secret('Syksy"2026&kevät')
    for quoted in ("Syksy&quot;2026&amp;kevät", "Syksy%222026%26kev%C3%A4t", 'Syksy"2026&kevät'):
        assert mask_secrets(f"<p>{quoted}</p>") == f"<p>{SECRET_MASK}</p>"
    page = '<input value="Syksy&quot;2026&amp;kevät">'.encode()
    assert mask_secrets_in_bytes(page) == f'<input value="{SECRET_MASK}">'.encode()


def test_a_value_too_short_to_be_a_secret_is_not_masked():
    remember_secret("abc")
    assert mask_secrets("abcdef abc") == "abcdef abc"
