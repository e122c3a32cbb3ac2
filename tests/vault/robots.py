"""Two robots that read the vault the way robots do: a Python robot through kuntarobo.sdk.vault,
and a Robot Framework robot whose suite gets a credential as ${TALOUS_USERNAME} and
${TALOUS_PASSWORD}. Both leak the secret everywhere they can (log lines, errors, the suite's log)
so the tests can show that it is masked everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kuntarobo.sdk import (
    ApplicationException,
    BusinessException,
    ItemSpec,
    ItemView,
    Outcome,
    Parameter,
    PathDescription,
    Robot,
    RobotClass,
    RunContext,
    Text,
    vault,
)
from kuntarobo.sdk.robotframework import RobotFrameworkRobot

_PATH = PathDescription(summary=Text(fi="Holvin testirobotti", en="Vault test robot"), steps=())
_OUTCOME = Parameter("outcome", Text(fi="Lopputulos"), kind="text", default="ok")


class VaultPythonRobot(Robot):
    slug = "test_vault_python"
    name = Text(fi="Holvia lukeva testirobotti", en="Vault reading test robot")
    description = Text(fi="Lukee holvia.", en="Reads the vault.")
    robot_class = RobotClass.ASSISTS
    path = _PATH
    parameters = (_OUTCOME,)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        yield ItemSpec(reference=f"run-{context.run_id}", payload={})

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        login = vault.credential(context, "talous", item=item)
        limit = vault.asset(context, "raja", item=item)
        context.log(f"kirjaudutaan: {login.username} / {login.secret.reveal()}")
        outcome = context.parameters.get("outcome")
        if outcome == "business":
            raise BusinessException(f"salasana {login.secret.reveal()} ei kelpaa")
        if outcome == "crash":
            raise ApplicationException(f"yhteys katkesi ({login.secret.reveal()})")
        return Outcome(
            output={
                "limit": str(limit),
                "limit_type": type(limit).__name__,
                "username": login.username,
                "shown": f"{login.secret} {login!r}",
                "received": login.secret.reveal() == "Kissa-Koira-2026!",
            }
        )


class VaultSuiteRobot(RobotFrameworkRobot):
    slug = "test_vault_suite"
    name = Text(fi="Holvia käyttävä tehtäväsarja", en="Vault task suite")
    description = Text(fi="Kirjautuu holvin tunnuksella.", en="Signs in with a vault credential.")
    path = _PATH
    suite = Path(__file__).with_name("vault_suite.robot")
    credentials = ("talous",)
    parameters = (_OUTCOME,)


VAULT_ROBOTS = (VaultPythonRobot, VaultSuiteRobot)
