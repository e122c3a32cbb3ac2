"""The robot SDK: the one import surface of a robot.

A robot imports the platform only from `kuntarobo.sdk` and its submodules (and may use the
pure helpers of `kuntarobo.core`); the layer contract in pyproject.toml fails the build when
it imports anything else. This package holds what a robot declares and implements; the
submodules hold what it uses at run time:

- `kuntarobo.sdk.models`: the platform models a robot's own models refer to, scoped querysets;
- `kuntarobo.sdk.permissions`: permissions and `require`;
- `kuntarobo.sdk.audit`: recording an event in the audit trail;
- `kuntarobo.sdk.inputs`: bounded readers of uploaded files and their refusals;
- `kuntarobo.sdk.files`: stored files that vanish with a rolled-back transaction;
- `kuntarobo.sdk.bulk`: inserting many rows at once;
- `kuntarobo.sdk.cli`: a robot's management commands;
- `kuntarobo.sdk.http`: a robot's JSON API endpoints;
- `kuntarobo.sdk.web`: a robot's staff pages;
- `kuntarobo.sdk.channels`: delivery channels (e-mail, secure link, Suomi.fi Messages, print);
- `kuntarobo.sdk.robotframework`: robots written as Robot Framework suites;
- `kuntarobo.sdk.browser`: browser robots: another web system driven in the worker's Chromium;
- `kuntarobo.sdk.settings`: the robot's municipal settings as a schema, and reading them;
- `kuntarobo.sdk.decisions`: decision records, running numbers, their state changes;
- `kuntarobo.sdk.items`: resuming a waiting item when its outside event arrives.
- `kuntarobo.sdk.runs`: starting a run from a robot's own code.
- `kuntarobo.sdk.feedback`: the municipality's customer feedback link for a robot's messages.

Importing this package loads no model, so a robot's pure modules may use its declarations.
"""

from kuntarobo.runtime.declarations import (
    INVALID_VALUE,
    PARAMETER_KINDS,
    ApplicationException,
    BusinessException,
    Chain,
    CorrectionError,
    Document,
    InputError,
    InputProblems,
    ItemSpec,
    ItemView,
    Outcome,
    OutputField,
    Parameter,
    PathDescription,
    PathStep,
    Retention,
    Robot,
    RobotClass,
    RobotPage,
    RunContext,
    Schedule,
    Text,
    Wait,
    all_robots,
    folder_refusal,
    get_robot,
    join_messages,
    message,
    register,
    resolve_folder,
)
from kuntarobo.runtime.statuses import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    WAITING_FOR_PERSON,
    ItemAction,
    ItemStatus,
    RunStatus,
    Trigger,
)

__all__ = [
    "FINAL_STATUSES",
    "INVALID_VALUE",
    "OPEN_STATUSES",
    "PARAMETER_KINDS",
    "WAITING_FOR_PERSON",
    "ApplicationException",
    "BusinessException",
    "Chain",
    "CorrectionError",
    "Document",
    "InputError",
    "InputProblems",
    "ItemAction",
    "ItemSpec",
    "ItemStatus",
    "ItemView",
    "Outcome",
    "OutputField",
    "Parameter",
    "PathDescription",
    "PathStep",
    "Retention",
    "Robot",
    "RobotClass",
    "RobotPage",
    "RunContext",
    "RunStatus",
    "Schedule",
    "Text",
    "Trigger",
    "Wait",
    "all_robots",
    "folder_refusal",
    "get_robot",
    "join_messages",
    "message",
    "register",
    "resolve_folder",
]
