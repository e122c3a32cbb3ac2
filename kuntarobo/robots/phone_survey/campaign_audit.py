"""The campaign pages' audit events in words (fi/sv/en), for the robot's `audit_actions`
declaration, so the audit trail page shows "Vastaajaluettelo avattu" and not the code.

Kept beside the pages that write them; the robot class takes them in with
`audit_actions = {**CAMPAIGN_AUDIT_ACTIONS, ...}`."""

from __future__ import annotations

from kuntarobo.sdk import Text

CAMPAIGN_AUDIT_ACTIONS: dict[str, Text] = {
    "phone_survey.campaign_created": Text(
        fi="Kyselykampanja luotu", sv="Enkätkampanj skapad", en="Survey campaign created"
    ),
    "phone_survey.campaign_changed": Text(
        fi="Kyselykampanjan asetuksia muutettu",
        sv="Enkätkampanjens inställningar ändrade",
        en="Survey campaign settings changed",
    ),
    "phone_survey.respondents_imported": Text(
        fi="Kampanjan vastaajat tuotu",
        sv="Kampanjens svarande importerade",
        en="Campaign respondents imported",
    ),
    "phone_survey.do_not_call_viewed": Text(
        fi="Soittokieltoluettelo avattu numeroineen",
        sv="Listan över samtalsförbud öppnad med numren",
        en="Do-not-call list viewed with the numbers",
    ),
    "phone_survey.do_not_call_added": Text(
        fi="Numero lisätty soittokieltoluetteloon",
        sv="Nummer tillagt på listan över samtalsförbud",
        en="Number added to the do-not-call list",
    ),
    "phone_survey.do_not_call_removed": Text(
        fi="Numero poistettu soittokieltoluettelosta",
        sv="Nummer borttaget från listan över samtalsförbud",
        en="Number removed from the do-not-call list",
    ),
    "phone_survey.respondents_viewed": Text(
        fi="Kampanjan vastaajaluettelo avattu numeroineen",
        sv="Kampanjens lista över svarande öppnad med numren",
        en="Campaign respondents list viewed with the numbers",
    ),
    "phone_survey.respondent_viewed": Text(
        fi="Vastaajan tiedot avattu numeroineen",
        sv="Svarandens uppgifter öppnade med numret",
        en="Respondent viewed with the number",
    ),
    "phone_survey.recording_played": Text(
        fi="Äänitetty vastaus kuunneltu",
        sv="Inspelat svar avlyssnat",
        en="Recorded answer played",
    ),
}
