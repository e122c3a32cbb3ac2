"""`kuntarobo survey …` answered without starting Django (kuntarobo.__main__ calls `answer` of
the app that owns a command): a test call needs the SIP stack and the pure questionnaire, not
the database, and Django's start-up would only delay the dial. Imports nothing of Django.

Sub-commands live in SUBCOMMANDS so other parts of the robot add theirs (e.g. "simulate").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

PASSWORD_ENV = "KUNTAROBO_SIP_PASSWORD"  # noqa: S105 - a variable name; never on the command line
MAX_QUESTIONNAIRE_BYTES = 1_000_000


class InputError(ValueError):
    """Bad input: exit 2 with this one line on stderr."""


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line naming the problem, not usage text."""

    def error(self, message: str) -> NoReturn:
        raise InputError(message)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 3600 seconds")
    return value


def _parser() -> _Parser:
    parser = _Parser(
        prog="kuntarobo survey test-call",
        description="Place one real call with the questionnaire and print its outcome.",
    )
    parser.add_argument(
        "--to", required=True, help="the SIP URI to call, e.g. sip:+358401234567@trunk"
    )
    parser.add_argument("--questionnaire", required=True, type=Path, help="questionnaire JSON")
    parser.add_argument("--language", help="the call's language (default: the first declared)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument(
        "--caller-id", default="kuntarobo", help="the From user (the city's number)"
    )
    parser.add_argument("--display-name", default="", help="the From display name")
    parser.add_argument("--domain", default="", help="the From host (the trunk's domain)")
    parser.add_argument(
        "--proxy", default="", help="the operator's SIP proxy, e.g. sip:sip.op.fi;lr"
    )
    parser.add_argument("--username", default="", help=f"trunk user; password in ${PASSWORD_ENV}")
    parser.add_argument("--realm", default="*", help="the trunk's digest realm (default: any)")
    parser.add_argument("--bind", default="127.0.0.1", help="the local address for SIP and RTP")
    parser.add_argument("--sip-port", type=int, default=0, help="the local SIP port (0: any)")
    parser.add_argument("--ring-timeout", type=_positive, default=30.0)
    parser.add_argument("--input-timeout", type=_positive, default=7.0)
    parser.add_argument("--prompts", type=Path, default=Path("var/phone_survey/prompts"))
    parser.add_argument("--recordings", type=Path, default=Path("var/phone_survey/recordings"))
    return parser


def _read_questionnaire(path: Path) -> Any:
    from kuntarobo.core.questionnaire import QuestionnaireError, parse_questionnaire

    try:
        raw = path.read_bytes()[: MAX_QUESTIONNAIRE_BYTES + 1]
    except OSError as error:
        raise InputError(f"--questionnaire {path}: {error.strerror or error}") from None
    if len(raw) > MAX_QUESTIONNAIRE_BYTES:
        raise InputError(f"--questionnaire {path}: over {MAX_QUESTIONNAIRE_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"--questionnaire {path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"--questionnaire {path}: not JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}"
        ) from None
    try:
        return parse_questionnaire(data)
    except QuestionnaireError as error:
        raise InputError(
            f"--questionnaire {path}: {error.path or 'root'}: {error.message}"
        ) from None


def outcome_json(record: Any) -> dict[str, Any]:
    """The CLI contract's shape of one call's outcome."""
    return {
        "to": record.to,
        "sip_status": record.sip_status,
        "code": record.code,
        "answered": record.answered,
        "answers": dict(record.answers),
        "disposition": record.disposition,
        "duration_seconds": round(record.duration_seconds, 3),
        "recordings": list(record.recordings),
    }


def test_call_main(argv: list[str]) -> int:
    """Place one call; exit 0 when it was answered, 1 when not (busy, no answer, unreachable;
    the JSON still printed), 2 for bad input."""
    try:
        options = _parser().parse_args(argv)
        to = options.to.strip()
        if not to.startswith(("sip:", "sips:")) or len(to.split(":", 1)[1]) == 0:
            raise InputError(f"--to {options.to!r} is not a SIP URI (sip:user@host)")
        questionnaire = _read_questionnaire(options.questionnaire)
        language = options.language or questionnaire.languages[0]
        if language not in questionnaire.languages:
            raise InputError(
                f"--language {language} is not one of the questionnaire's languages "
                f"({', '.join(questionnaire.languages)})"
            )
        if not 0 <= options.sip_port <= 65535:
            raise InputError(f"--sip-port {options.sip_port} is not a port number")
    except InputError as error:
        sys.stderr.write(f"kuntarobo survey test-call: {error}\n")
        return 2

    from kuntarobo.robots.phone_survey.telephony.caller import (
        Engine,
        EngineConfig,
        TelephonyError,
        Timing,
        Trunk,
    )
    from kuntarobo.robots.phone_survey.telephony.prompts import PromptCache, PromptError

    trunk = Trunk(
        caller_id=options.caller_id,
        display_name=options.display_name,
        domain=options.domain,
        proxy=options.proxy,
        username=options.username,
        password=os.environ.get(PASSWORD_ENV, ""),
        realm=options.realm,
    )
    timing = Timing(ring_timeout=options.ring_timeout, input_timeout=options.input_timeout)
    try:
        engine = Engine.shared(EngineConfig(bind_address=options.bind, sip_port=options.sip_port))
    except TelephonyError as error:
        sys.stderr.write(f"kuntarobo survey test-call: {error}\n")
        return 1
    try:
        record = engine.call(
            to,
            questionnaire,
            language=language,
            prompts=PromptCache(options.prompts),
            recordings_dir=options.recordings,
            trunk=trunk,
            timing=timing,
        )
    except TelephonyError as error:
        sys.stderr.write(f"kuntarobo survey test-call: --to {error}\n")
        return 2
    except PromptError as error:
        sys.stderr.write(f"kuntarobo survey test-call: prompt: {error}\n")
        return 2
    finally:
        engine.shutdown()
    outcome = outcome_json(record)
    if options.json:
        sys.stdout.write(json.dumps(outcome, ensure_ascii=False, indent=2) + "\n")
    else:
        for key, value in outcome.items():
            sys.stdout.write(f"{key}: {value}\n")
    return 0 if record.answered else 1


def simulate_main(argv: list[str]) -> int:
    """`kuntarobo survey simulate …` (simulate_cli.py; imported only when asked for)."""
    from kuntarobo.robots.phone_survey.simulate_cli import simulate_main as simulate

    return simulate(argv)


SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "test-call": test_call_main,
    "simulate": simulate_main,
}


def answer(argv: list[str]) -> int:
    """The exit code of `kuntarobo survey <sub-command> …` (argv starts with "survey")."""
    if not argv or argv[0] != "survey":
        sys.stderr.write("kuntarobo survey: not a survey command\n")
        return 2
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        names = ", ".join(sorted(SUBCOMMANDS))
        stream = sys.stdout if len(argv) >= 2 else sys.stderr
        stream.write(f"usage: kuntarobo survey {{{names}}} ...\n")
        return 0 if len(argv) >= 2 else 2
    handler = SUBCOMMANDS.get(argv[1])
    if handler is None:
        names = ", ".join(sorted(SUBCOMMANDS))
        sys.stderr.write(f"kuntarobo survey: unknown sub-command {argv[1]!r} (known: {names})\n")
        return 2
    return handler(list(argv[2:]))


if __name__ == "__main__":
    sys.exit(answer(sys.argv[1:]))
