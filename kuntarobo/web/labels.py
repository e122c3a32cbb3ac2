"""Translated labels for codes that are stored as plain strings (audit actions, robot classes,
calendar rules), kept in one place so templates, forms and tests agree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuntarobo.runtime.declarations import RobotClass

AUDIT_ACTIONS = {
    "run.start": _("Run started"),
    "run.read": _("Run's input read"),
    "run.refuse": _("Run's input refused"),
    "run.fail": _("Reading a run's input failed"),
    "item.approve": _("Item approved"),
    "item.reject": _("Item rejected"),
    "item.correct": _("Item corrected and approved"),
    "item.retry": _("Item sent back to the robot"),
    "item.abandon": _("Item removed from processing"),
    "item.resume": _("Waiting item resumed"),
    "item.supersede": _("Failed item replaced by a corrected input"),
    "items.approve_unflagged": _("Proposals without flags approved"),
    "review.sample_draw": _("Random sample for review drawn"),
    "review.sample_open": _("Proposal of the review sample opened"),
    "demo_mail.view": _("Demo e-mail read"),
    "item.view": _("Personal data viewed"),
    "items.view": _("Personal data viewed in the review inbox"),
    "robot.configure": _("Robot settings changed"),
    "audit.export": _("Audit trail exported"),
    "audit.purge": _("Old audit events removed"),
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.locked_out": _("Sign-in locked after failed attempts"),
    "auth.oidc_refused": _("Single sign-on refused"),
    "auth.oidc_failed": _("Single sign-on answer rejected"),
    "accounts.oidc_user_created": _("User created by single sign-on"),
    "accounts.membership_added": _("Role granted"),
    "accounts.membership_removed": _("Role removed"),
    "files.sweep": _("Files no record refers to removed"),
    "retention.purge": _("Data past its retention period removed"),
}

ROBOT_CLASS_NAMES = {
    RobotClass.ASSISTS: pgettext_lazy("robot class", "Assists"),
    RobotClass.PREPARES: pgettext_lazy("robot class", "Prepares"),
    RobotClass.DECIDES: pgettext_lazy("robot class", "Decides"),
}

ROBOT_CLASS_EXPLANATIONS = {
    RobotClass.ASSISTS: _(
        "The robot does routine work such as gathering, checking or moving data. It makes no "
        "decisions and proposes none."
    ),
    RobotClass.PREPARES: _(
        "The robot prepares a proposal for each case. Nothing is sent or decided until an "
        "official has approved the proposal."
    ),
    RobotClass.DECIDES: _(
        "The robot makes automatic decisions (Administrative Procedure Act, chapter 8 b). It may "
        "run only under a recorded deployment decision with a responsible official and a "
        "published description."
    ),
}

CALENDAR_RULES = {
    "any_day": _("every day"),
    "working_days": _("on working days (weekends and Finnish public holidays excluded)"),
    "first_working_day_of_month": _("on the first working day of the month"),
    "last_working_day_of_month": _("on the last working day of the month"),
}

STEP_ACTORS = {"robot": _("Robot"), "person": _("Person")}

PARAMETER_KINDS = {
    "text": _("text"),
    "integer": _("whole number"),
    "decimal": _("number"),
    "boolean": _("yes or no"),
    "date": _("date"),
    "email": _("email address"),
    "choice": _("choice"),
    "month": _("month"),
    "folder": _("folder inside the robot's storage folder"),
}
