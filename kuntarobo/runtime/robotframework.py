"""Robots written as Robot Framework task suites (RPA mode), which Finnish public-sector robot
developers already write. One run executes the suite once as one work item; its `output.xml`
and `log.html` are kept with the item, with a failed item too.

A failing task whose message starts with "BusinessException:" is a business exception (a
person must act); any other failure is an application exception and is retried.

Credentials from the vault (`credentials = ("payroll",)`) reach the suite as
`${PAYROLL_USERNAME}` and `${PAYROLL_PASSWORD}`. The suite runs without a log of its own; the
kept output.xml is masked of every secret read in this process and log.html is made from it
(rebot), so neither holds a password however the suite logs it.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from kuntarobo.core.masking import mask_secrets, mask_secrets_in_bytes
from kuntarobo.runtime.declarations import (
    ApplicationException,
    BusinessException,
    Document,
    InputError,
    ItemSpec,
    ItemView,
    Outcome,
    Robot,
    RobotClass,
    RunContext,
)
from kuntarobo.runtime.declarations import message as sdk_message

BUSINESS_PREFIX = "BusinessException:"

# (context, credential name, item) → (username, secret): the vault's audited read. The vault
# sits above the runtime and hands it over when Django starts (kuntarobo.vault.apps).
CredentialReader = Callable[[RunContext, str, ItemView | None], tuple[str, str]]
_credential_reader: list[CredentialReader] = []


def use_credential_reader(reader: CredentialReader) -> None:
    _credential_reader[:] = [reader]


def credential_variable(name: str) -> str:
    """`payroll-system` → `PAYROLL_SYSTEM`: the stem of the suite's two variables."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


class TaskSuiteFailure:
    """Failed tasks of one execution, read from output.xml."""

    def __init__(self, output_xml: Path) -> None:
        from robot.api import ExecutionResult

        result = ExecutionResult(str(output_xml))
        self.passed = 0
        self.failed: list[tuple[str, str]] = []
        for test in result.suite.all_tests:
            if test.status == "PASS":
                self.passed += 1
            elif test.status == "FAIL":
                self.failed.append((test.name, test.message))

    @property
    def business(self) -> list[tuple[str, str]]:
        return [(n, m) for n, m in self.failed if m.startswith(BUSINESS_PREFIX)]


class RobotFrameworkRobot(Robot):
    """Base class: set `suite` to the .robot file or folder; parameters become ${VARIABLES}."""

    suite: ClassVar[Path]
    robot_class = RobotClass.ASSISTS
    # Vault credentials the suite gets as ${<NAME>_USERNAME} and ${<NAME>_PASSWORD}.
    credentials: ClassVar[tuple[str, ...]] = ()

    def item_reference(self, context: RunContext) -> str:
        """One execution per run by default; override to make executions idempotent per day."""
        return f"run-{context.run_id}"

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        if not self.suite.exists():
            raise FileNotFoundError(f"task suite {self.suite} is missing")
        yield ItemSpec(
            reference=self.item_reference(context),
            title=f"{self.suite.name} ({context.trigger})",
            payload={"suite": self.suite.name, "parameters": context.parameters},
        )

    def variables(self, context: RunContext) -> list[str]:
        """Parameters as ${VARIABLES}. A folder parameter is given to the suite only as the
        absolute folder it resolves to inside the robot's storage root, checked now; the root
        itself is ${STORAGE_ROOT}, for the suite to check what it finds there."""
        names = {p.name: p.name.upper() for p in self.parameters}
        folders = {p.name for p in self.parameters if p.kind == "folder"}
        variables = [f"STORAGE_ROOT:{context.storage_root().resolve()}"]
        for key, value in context.parameters.items():
            shown = context.folder(key) if key in folders else value
            variables.append(f"{names.get(key, key.upper())}:{'' if shown is None else shown}")
        return variables

    def credential_variables(self, context: RunContext, item: ItemView) -> list[str]:
        """The declared credentials, each read from the vault (audited with the run and item)."""
        if not self.credentials:
            return []
        if not _credential_reader:
            raise ApplicationException("the vault is not installed (kuntarobo.vault)")
        variables = []
        for name in self.credentials:
            username, secret = _credential_reader[0](context, name, item)
            stem = credential_variable(name)
            variables += [f"{stem}_USERNAME:{username}", f"{stem}_PASSWORD:{secret}"]
        return variables

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        from robot.run import run as run_robot_framework

        try:
            variables = self.variables(context)
        except InputError as error:
            # A stored value from before the check, or a root moved since: a person must act.
            raise BusinessException(str(error)) from error
        variables += self.credential_variables(context, item)
        with tempfile.TemporaryDirectory(prefix="kuntarobo-rf-") as folder:
            out = Path(folder)
            console = io.StringIO()
            return_code = run_robot_framework(
                str(self.suite),
                rpa=True,
                outputdir=str(out),
                output="output.xml",
                # No log of the run itself: log.html is made from the masked output.xml below.
                log="NONE",
                report="NONE",
                variable=variables,
                console="dotted",
                stdout=console,
                stderr=console,
            )
            if not (out / "output.xml").exists():
                raise ApplicationException(
                    sdk_message(
                        _("Robot Framework did not run (exit %(code)s): %(console)s"),
                        code=str(return_code),
                        console=mask_secrets(console.getvalue()[-500:]),
                    )
                )
            output = out / "output.xml"
            output.write_bytes(mask_secrets_in_bytes(output.read_bytes()))
            rebot_log(output, out / "log.html")
            outcome_of_tasks = TaskSuiteFailure(output)
            documents = [
                Document("log.html", (out / "log.html").read_bytes(), "text/html"),
                Document("output.xml", (out / "output.xml").read_bytes(), "application/xml"),
            ]
        for name, message in outcome_of_tasks.failed:
            context.log(
                sdk_message(_("task '%(name)s' failed: %(problem)s"), name=name, problem=message),
                "warning",
            )
        if outcome_of_tasks.business:
            name, message = outcome_of_tasks.business[0]
            raise BusinessException(
                f"{name}: {message[len(BUSINESS_PREFIX) :].strip()}", documents=documents
            )
        if outcome_of_tasks.failed:
            name, message = outcome_of_tasks.failed[0]
            raise ApplicationException(f"{name}: {message}", documents=documents)
        return Outcome(
            output={"tasks_passed": outcome_of_tasks.passed, "return_code": return_code},
            explanation=[
                f"Robot Framework suite {self.suite.name}: {outcome_of_tasks.passed} tasks passed."
            ],
            documents=documents,
        )


def rebot_log(output: Path, log: Path) -> None:
    """log.html from an output.xml with Robot Framework's own rebot, quietly."""
    from robot.rebot import rebot  # type: ignore[import-untyped]

    quiet = io.StringIO()
    rebot(str(output), log=str(log), report="NONE", output="NONE", stdout=quiet, stderr=quiet)
    if not log.exists():
        raise ApplicationException(
            sdk_message(
                _("Robot Framework could not write the log: %(console)s"),
                console=quiet.getvalue()[-500:],
            )
        )
