"""Translated labels for codes that are stored as plain strings (audit actions, robot classes,
calendar rules), kept in one place so templates, forms and tests agree."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kuntarobo.runtime.declarations import InputError, RobotClass, get_robot

AUDIT_ACTIONS = {
    "run.start": _("Run started"),
    "run.read": _("Run's input read"),
    "run.refuse": _("Run's input refused"),
    "run.fail": _("Reading a run's input failed"),
    "run.chain_refused": _("The next robot of a chain could not be started"),
    "item.approve": _("Item approved"),
    "item.reject": _("Item rejected"),
    "item.correct": _("Item corrected and approved"),
    "item.retry": _("Item sent back to the robot"),
    "item.abandon": _("Item removed from processing"),
    "item.resume": _("Waiting item resumed"),
    "item.supersede": _("Failed item replaced by a corrected input"),
    "delegation.grant": _("Delegation to decide granted"),
    "delegation.end": _("Delegation to decide ended"),
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
    "robot.settings": _("Robot's municipal settings changed"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "channels.delivery.queued": _("Delivery queued"),
    "channels.delivery.sent": _("Delivery sent"),
    "channels.delivery.failed": _("Delivery failed"),
    "channels.print_batch": _("Print batch made"),
    "channels.print_batch.posted": _("Print batch marked posted"),
    "channels.secure_document.download": _("Secure document downloaded"),
    "channels.secure_document.refused": _("Secure document download refused"),
    "channels.secure_document.purged": _("Secure document removed"),
    "portfolio.assessed": _("Idea assessed for automation"),
    "portfolio.scoring_weights": _("Weights of the suitability method changed"),
    "portfolio.result_card_saved": _("Result card saved"),
    "portfolio.running_cost_set": pgettext_lazy("measure", "Running cost of a robot entered"),
    "portfolio.running_cost_removed": pgettext_lazy("measure", "Running cost of a robot removed"),
    # The idea bank (kuntarobo.portfolio.ideas, .idea_excel, .sharing)
    "portfolio.idea_created": _("Automation idea added"),
    "portfolio.idea_edited": _("Automation idea edited"),
    "portfolio.idea_moved": _("Automation idea moved to another stage"),
    "portfolio.idea_robot_set": _("Robot of an automation idea named"),
    "portfolio.idea_copied": _("Shared automation idea copied"),
    "portfolio.ideas_exported": _("Idea bank exported to Excel"),
    "portfolio.ideas_imported": _("Idea bank imported from Excel"),
    "portfolio.workshop_created": _("Workshop opened"),
    "portfolio.workshop_closed": _("Workshop closed"),
    "portfolio.shared": _("Shared with other municipalities"),
    "portfolio.sharing_withdrawn": _("Sharing withdrawn"),
    "portfolio.business_case_created": _("Business case created"),
    "portfolio.business_case_changed": _("Business case changed"),
    "portfolio.business_case_deleted": _("Business case deleted"),
    "portfolio.customer_feedback.imported": _("Customer feedback imported"),
    "portfolio.customer_feedback.on": _("Customer feedback link switched on"),
    "portfolio.customer_feedback.off": _("Customer feedback link switched off"),
    "portfolio.programme_costs_saved": _("Programme cost line saved"),
    "portfolio.programme_costs_deleted": _("Programme cost line deleted"),
    "portfolio.programme_outputs_saved": _("Programme output saved"),
    "portfolio.programme_outputs_deleted": _("Programme output deleted"),
    "portfolio.programme_risks_saved": _("Programme risk saved"),
    "portfolio.programme_risks_deleted": _("Programme risk deleted"),
    "portfolio.programme_milestones_saved": _("Programme milestone saved"),
    "portfolio.programme_milestones_deleted": _("Programme milestone deleted"),
    "portfolio.programme_light_overridden": _("Programme traffic light set by hand"),
    "portfolio.programme_light_override_withdrawn": _("Hand-set programme traffic light withdrawn"),
    "portfolio.survey_round.created": _("Staff survey round created"),
    "portfolio.survey_round.sent": _("Staff survey invitations sent"),
    "portfolio.survey_round.answered": _("Staff survey answered"),
    "portfolio.survey_round.closed": _("Staff survey round closed"),
    "portfolio.survey_settings": _("Survey settings changed"),
    # The vault (kuntarobo.vault): never with a secret in the details.
    "vault.asset_created": _("Asset added to the vault"),
    "vault.asset_updated": _("Asset of the vault changed"),
    "vault.asset_deleted": _("Asset removed from the vault"),
    "vault.secret_rotated": _("Credential's secret replaced"),
    "vault.key_rotated": _("Vault's secrets encrypted under a new key"),
    "vault.read": _("Asset of the vault read by a robot"),
}

AUDIT_CHANNELS = {
    "web": _("web"),
    "api": pgettext_lazy("audit channel", "API"),
    "cli": _("command line"),
    "worker": _("robot worker"),
    "scheduler": _("scheduler"),
    "demo": _("demo"),
    "system": pgettext_lazy("audit channel", "system"),
}


def audit_action_label(code: str) -> str:
    """An audit event's code as words in the reader's language: the platform's own codes here,
    a robot's (`<slug>.…`) from its declaration (`Robot.audit_actions`). The code itself stays
    in the exports; an unknown code is shown as it is."""
    label = AUDIT_ACTIONS.get(code)
    if label:
        return str(label)
    try:
        robot = get_robot(code.split(".", 1)[0])
    except InputError:
        return code
    text = robot.audit_actions.get(code)
    return text.get(get_language()) if text else code


def audit_object_label(object_type: str) -> str:
    """`app_label.model` of an audited object as the model's name in the reader's language."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()


AUDIT_DETAILS = {
    "after": _("after"),
    "before": _("before"),
    "copies": _("copies"),
    "days": _("days"),
    "decisions": _("decisions"),
    "deliveries": _("deliveries"),
    "documents": _("documents"),
    "duplicates": _("already known"),
    "error": _("error"),
    "expired_at": _("expired"),
    "filters": _("filters"),
    "folders": _("folders"),
    "fields": _("fields"),
    "format": _("format"),
    "from": pgettext_lazy("audit detail", "from"),
    "grace_seconds": _("grace period (s)"),
    "input": _("input"),
    "item": _("work item"),
    "ip_address": _("IP address"),
    "items": _("work items"),
    "kind": _("kind"),
    "message_id": _("message id"),
    "name": _("name"),
    "note": _("note"),
    "pages": _("pages"),
    "parameters": _("parameters"),
    "posted_on": _("posted on"),
    "provider": _("identity provider"),
    "reason": _("reason"),
    "reference": _("reference"),
    "references": _("references"),
    "removed": _("removed"),
    "replaced": _("replaced"),
    "robot": _("robot"),
    "role": _("role"),
    "route": _("route"),
    "run": _("run"),
    "secrets": _("secrets"),
    "source": _("source"),
    "status": _("status"),
    "up_to": _("up to"),
    "user": _("user"),
    "valid_from": _("valid from"),
}


def audit_detail_label(key: str) -> str:
    """A key of an audit event's details as a word; the exports keep the key."""
    label = AUDIT_DETAILS.get(key)
    return str(label) if label else key


def audit_channel_label(via: str) -> str:
    label = AUDIT_CHANNELS.get(via)
    return str(label) if label else via


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
