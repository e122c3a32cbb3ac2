"""Every text a user sees is in Finnish and Swedish: the catalogues, regenerated from the
source as `make messages` does (in a copy, so the checked-in files are not touched), have no
untranslated and no fuzzy entry, and pass `msgfmt -c` (placeholders kept)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import kuntarobo

PACKAGE = Path(kuntarobo.__file__).resolve().parent
LANGUAGES = ("fi", "sv")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msgattrib", "msgfmt")),
    reason="needs the GNU gettext tools",
)


def _msgids(po: Path, flag: str) -> list[str]:
    """The msgids msgattrib selects with `flag` (the header is left out)."""
    out = subprocess.run(
        ["msgattrib", flag, "--no-wrap", "--no-location", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [
        line[len("msgid ") :]
        for line in out.splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("catalogues") / "kuntarobo"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    locale = copy / "locale"
    # makemessages reads the source below the working directory and writes to LOCALE_PATHS.
    with override_settings(LOCALE_PATHS=[locale]), contextlib.chdir(copy):
        call_command("makemessages", locale=list(LANGUAGES), no_obsolete=True, verbosity=0)
    return locale


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated(regenerated: Path, language: str) -> None:
    po = regenerated / language / "LC_MESSAGES" / "django.po"
    untranslated = _msgids(po, "--untranslated")
    fuzzy = _msgids(po, "--only-fuzzy")
    assert not untranslated, f"untranslated in {language} (run `make messages`): {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_checked_in_catalogue_is_valid(language: str) -> None:
    po = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], check=True)
