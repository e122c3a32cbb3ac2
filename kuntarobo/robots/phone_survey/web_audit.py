"""The audit events of the questionnaire editor, the web form and the notices, as words for
the audit trail's page. The robot's declaration takes them into `audit_actions`
(`PhoneSurveyRobot.audit_actions = {**WEB_AUDIT_ACTIONS, …}`); robot.py belongs to the robot's
rules, so they are kept here. Pure: importing it loads no model."""

from __future__ import annotations

from kuntarobo.sdk import Text

WEB_AUDIT_ACTIONS: dict[str, Text] = {
    "phone_survey.questionnaire_created": Text(
        fi="Kysely luotiin", sv="Enkät skapades", en="Questionnaire created"
    ),
    "phone_survey.questionnaire_changed": Text(
        fi="Kyselyä muutettiin", sv="Enkät ändrades", en="Questionnaire changed"
    ),
    "phone_survey.questionnaire_copied": Text(
        fi="Käytössä oleva kysely tallennettiin uutena",
        sv="En enkät i bruk sparades som ny",
        en="Questionnaire in use saved as new",
    ),
    "phone_survey.prompt_recorded": Text(
        fi="Äänitetty kehote tallennettiin",
        sv="Inspelad uppmaning sparades",
        en="Recorded prompt saved",
    ),
    "phone_survey.answered_on_web": Text(
        fi="Kyselyyn vastattiin verkossa",
        sv="Enkäten besvarades på webben",
        en="Survey answered on the web",
    ),
    # The do-not-call list's actions (actions.py), which the web form's refusal uses too.
    "phone_survey.do_not_call_added": Text(
        fi="Numero lisättiin soittokieltolistalle",
        sv="Numret lades till på spärrlistan",
        en="Number added to the do-not-call list",
    ),
    "phone_survey.do_not_call_removed": Text(
        fi="Numero poistettiin soittokieltolistalta",
        sv="Numret togs bort från spärrlistan",
        en="Number removed from the do-not-call list",
    ),
    "phone_survey.advance_notices_sent": Text(
        fi="Ennakkoilmoitukset lähetettiin tekstiviestillä",
        sv="Förhandsmeddelanden skickades per sms",
        en="Advance notices sent by SMS",
    ),
    "phone_survey.web_link_sent": Text(
        fi="Verkkolomakkeen linkki lähetettiin tekstiviestillä",
        sv="Länken till webbformuläret skickades per sms",
        en="Web form link sent by SMS",
    ),
}
