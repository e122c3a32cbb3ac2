"""`kuntarobo vault` as an operator runs it: the real executable in new processes, on a database
of its own. The secret comes from standard input, never from the command line; bad input exits
with status 2 and one line on standard error naming the problem; rotate-key leaves every secret
readable under the new key only."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from tests.vault.conftest import SECRET

pytestmark = pytest.mark.slow

KUNTAROBO = str(Path(sys.executable).with_name("kuntarobo"))
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
def var(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("vault-cli")
    done = kuntarobo(folder, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    done = kuntarobo(
        folder,
        "shell",
        "-c",
        "from kuntarobo.accounts.models import Municipality as M; "
        "M.objects.create(slug='esimerkkila', name_fi='Esimerkkilä')",
    )
    assert done.returncode == 0, done.stderr
    return folder


def kuntarobo(
    var: Path, *arguments: str, stdin: str = "", keys: str = OLD_KEY
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "KUNTAROBO_VAULT_KEY_FILE", "KUNTAROBO_DEMO")
    }
    env.update({"KUNTAROBO_VAR_DIR": str(var), "KUNTAROBO_VAULT_KEYS": keys, "SECRET_KEY": "x"})
    return subprocess.run(
        [KUNTAROBO, *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def stored(var: Path, query: str) -> list[tuple]:
    with sqlite3.connect(var / "kuntarobo.sqlite3") as database:
        return database.execute(query).fetchall()


def test_set_reads_the_secret_from_stdin_and_stores_it_encrypted(var):
    done = kuntarobo(
        var,
        "vault", "set", "talous", "--municipality", "esimerkkila", "--kind", "credential",
        "--username", "robo", "--secret-stdin",
        stdin=SECRET + "\n",
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {"saved": "talous", "robot": "", "kind": "credential"}
    ((token,),) = stored(var, "SELECT secret FROM vault_asset WHERE name = 'talous'")
    assert SECRET not in token
    assert Fernet(OLD_KEY).decrypt(token.encode()).decode() == SECRET
    details = " ".join(row[0] for row in stored(var, "SELECT details FROM audit_auditevent"))
    assert SECRET not in details
    listing = kuntarobo(var, "vault", "list", "--municipality", "esimerkkila")
    assert listing.returncode == 0
    assert "talous" in listing.stdout
    assert "robo / secret set" in listing.stdout
    assert SECRET not in listing.stdout


def test_the_command_takes_no_secret_from_the_command_line(var):
    done = kuntarobo(
        var,
        "vault", "set", "x", "--municipality", "esimerkkila", "--kind", "credential",
        "--username", "robo", "--secret", SECRET,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr


@pytest.mark.parametrize(
    ("arguments", "stdin", "problem"),
    [
        (["--municipality", "nowhere", "--kind", "text", "--value", "a"], "", "nowhere"),
        (["--municipality", "esimerkkila", "--kind", "number", "--value", "five"], "", "number"),
        (["--municipality", "esimerkkila", "--kind", "text"], "", "--value"),
        (
            ["--municipality", "esimerkkila", "--kind", "credential", "--username", "robo",
             "--secret-stdin"],
            "abc\n",
            "too short",
        ),
        (
            ["--municipality", "esimerkkila", "--kind", "credential", "--username", "robo"],
            "",
            "--secret-stdin",
        ),
        (
            ["--municipality", "esimerkkila", "--kind", "credential", "--secret-stdin"],
            "",
            "username",
        ),
    ],
)  # fmt: skip
def test_bad_input_exits_with_2_and_one_line_naming_the_problem(var, arguments, stdin, problem):
    done = kuntarobo(var, "vault", "set", "bad", *arguments, stdin=stdin)
    assert done.returncode == 2, done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert problem in done.stderr
    assert stored(var, "SELECT count(*) FROM vault_asset WHERE name = 'bad'") == [(0,)]


def test_rotate_key_reencrypts_every_secret_under_the_new_key_only(var):
    kuntarobo(
        var,
        "vault", "set", "toinen", "--municipality", "esimerkkila", "--robot", "invoice_check",
        "--kind", "credential", "--username", "robo2", "--secret-stdin",
        stdin="Toinen-Salasana\n",
    )  # fmt: skip
    done = kuntarobo(var, "vault", "rotate-key", keys=f"{NEW_KEY},{OLD_KEY}")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["reencrypted"] >= 2
    tokens = dict(stored(var, "SELECT name, secret FROM vault_asset WHERE secret != ''"))
    assert Fernet(NEW_KEY).decrypt(tokens["toinen"].encode()) == b"Toinen-Salasana"
    assert Fernet(NEW_KEY).decrypt(tokens["talous"].encode()).decode() == SECRET
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(tokens["talous"].encode())
    listing = kuntarobo(var, "vault", "list", "--municipality", "esimerkkila", keys=NEW_KEY)
    assert listing.returncode == 0


def test_without_a_key_set_refuses_naming_the_setting(var):
    done = kuntarobo(
        var,
        "vault", "set", "kolmas", "--municipality", "esimerkkila", "--kind", "credential",
        "--username", "robo", "--secret-stdin",
        stdin=SECRET + "\n", keys="",
    )  # fmt: skip
    assert done.returncode == 2
    assert "KUNTAROBO_VAULT_KEYS" in done.stderr


def test_delete_removes_the_asset_and_is_audited(var):
    kuntarobo(
        var, "vault", "set", "poistuva", "--municipality", "esimerkkila", "--kind", "boolean",
        "--value", "true",
    )  # fmt: skip
    done = kuntarobo(var, "vault", "delete", "poistuva", "--municipality", "esimerkkila")
    assert (done.returncode, done.stderr) == (0, "")
    assert stored(var, "SELECT count(*) FROM vault_asset WHERE name = 'poistuva'") == [(0,)]
    assert stored(
        var, "SELECT count(*) FROM audit_auditevent WHERE action = 'vault.asset_deleted'"
    ) == [(1,)]
    missing = kuntarobo(var, "vault", "delete", "poistuva", "--municipality", "esimerkkila")
    assert missing.returncode == 2
