"""The phone survey robot (class A: it collects opinions and decides nothing): it calls a
campaign's sampled residents in the call windows, runs the keypad questionnaire, tries again by
the retry rules, and gives every number its AAPOR disposition.

Each respondent is one work item of the campaign's run; between attempts it waits on a durable
timer (`Wait(until=…)`), so attempts and timers survive restarts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from kuntarobo.core import aapor
from kuntarobo.robots.phone_survey import calling
from kuntarobo.robots.phone_survey.campaign_audit import CAMPAIGN_AUDIT_ACTIONS
from kuntarobo.robots.phone_survey.models import Campaign, CampaignStatus, Respondent
from kuntarobo.robots.phone_survey.web_audit import WEB_AUDIT_ACTIONS
from kuntarobo.sdk import (
    InputError,
    ItemSpec,
    ItemStatus,
    ItemView,
    Outcome,
    OutputField,
    Parameter,
    PathDescription,
    PathStep,
    Robot,
    RobotClass,
    RobotPage,
    RunContext,
    Text,
    Wait,
    register,
)
from kuntarobo.sdk.models import WorkItem


@register
class PhoneSurveyRobot(Robot):
    slug = "phone_survey"
    name = Text(fi="Puhelinkyselyrobotti", sv="Telefonenkätrobot", en="Phone survey robot")
    description = Text(
        fi="Soittaa kyselykampanjan asukkaille soittoaikoina, kysyy kysymykset näppäimillä "
        "vastattavina ja tallentaa vastaukset ja jokaisen soittoyrityksen tuloksen.",
        sv="Ringer en enkätkampanjs invånare under samtalstiderna, ställer frågorna som besvaras "
        "med knapparna och sparar svaren och varje samtalsförsöks resultat.",
        en="Calls a survey campaign's residents in the call windows, asks the questions to be "
        "answered with the keypad, and keeps the answers and every attempt's outcome.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (
        Text(fi="puhelinoperaattori (SIP)", sv="teleoperatör (SIP)", en="phone operator (SIP)"),
    )
    # A human interviewer's minutes per COMPLETED interview: our estimate, not a measured figure
    # (docs/phone-survey.md, "The robot's rules"): ~17.9 calls per complete (Uusikaupunki 2021)
    # at ~40 s per unsuccessful call, plus ~3 min for the interview itself. Only items that
    # ended in a complete count it (`on_statuses` marks the others `saves_time=False`).
    manual_minutes_per_item = Decimal("15")
    audit_actions = {
        "phone_survey.campaign_started": Text(
            fi="Kyselykampanja käynnistetty",
            sv="Enkätkampanjen startad",
            en="Survey campaign started",
        ),
        "phone_survey.campaign_ended": Text(
            fi="Kyselykampanja päätetty",
            sv="Enkätkampanjen avslutad",
            en="Survey campaign ended",
        ),
        "phone_survey.report.answers_export": Text(
            fi="Kyselyn vastaukset ladattu",
            sv="Enkätens svar nedladdade",
            en="Survey answers downloaded",
        ),
        "phone_survey.report.attempts_export": Text(
            fi="Kyselyn soittoyritykset ladattu",
            sv="Enkätens samtalsförsök nedladdade",
            en="Survey call attempts downloaded",
        ),
        "phone_survey.report.pdf": Text(
            fi="Kyselyn valtuustoraportti ladattu",
            sv="Enkätens fullmäktigerapport nedladdad",
            en="Survey council report downloaded",
        ),
        "phone_survey.report.recording": Text(
            fi="Avoimen vastauksen äänite kuunneltu",
            sv="Inspelning av ett öppet svar avlyssnad",
            en="Open answer recording played",
        ),
        "phone_survey.campaign_simulated": Text(
            fi="Kyselykampanja ajettu simuloidussa ajassa",
            sv="Enkätkampanjen körd i simulerad tid",
            en="Survey campaign played in simulated time",
        ),
        # The campaign pages' events, then the editor's, the web form's and the notices'.
        **CAMPAIGN_AUDIT_ACTIONS,
        **WEB_AUDIT_ACTIONS,
    }
    output_fields = (
        OutputField(
            "final_code",
            Text(fi="Lopullinen AAPOR-koodi", sv="Slutlig AAPOR-kod", en="Final AAPOR code"),
        ),
        OutputField(
            "disposition",
            Text(fi="Haastattelun tulos", sv="Intervjuns utfall", en="Interview outcome"),
        ),
    )
    parameters = (
        Parameter(
            "campaign",
            Text(fi="Kampanja", sv="Kampanj", en="Campaign"),
            kind="integer",
            required=True,
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Kyselykampanjan puhelut ja vastaukset.",
            sv="Enkätkampanjens samtal och svar.",
            en="A survey campaign's calls and answers.",
        ),
        steps=(
            PathStep(
                Text(fi="Kampanjan laatiminen", sv="Kampanjen görs", en="The campaign is set up"),
                "person",
            ),
            PathStep(Text(fi="Soitot", sv="Samtal", en="Calls"), "robot"),
        ),
    )
    pages = (
        RobotPage(
            Text(fi="Kyselykampanjat", sv="Enkätkampanjer", en="Survey campaigns"),
            "phone_survey:campaign_list",
        ),
        RobotPage(
            Text(fi="Kyselylomakkeet", sv="Enkätformulär", en="Questionnaires"),
            "phone_survey:questionnaire_list",
        ),
    )
    urls = "kuntarobo.robots.phone_survey.staff_urls"
    public_urls = (("kysely/", "kuntarobo.robots.phone_survey.public_urls"),)

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        """One work item per respondent of the running campaign the run was started for."""
        campaign_id = context.parameters["campaign"]
        campaign = Campaign.objects.filter(
            pk=campaign_id, municipality__slug=context.municipality_slug
        ).first()
        if campaign is None:
            raise InputError(
                _("survey campaign %(campaign)s does not exist in this municipality"),
                field="campaign",
                campaign=campaign_id,
            )
        if campaign.status != CampaignStatus.RUNNING:
            raise InputError(
                _("survey campaign %(campaign)s is not running"),
                field="campaign",
                campaign=campaign_id,
            )
        rows = (
            Respondent.objects.filter(campaign=campaign)
            .order_by("row", "pk")
            .values_list("pk", "row")
        )
        for respondent_id, row in rows.iterator(chunk_size=2000):
            yield ItemSpec(
                reference=f"survey-{campaign.pk}-respondent-{respondent_id}",
                payload={"campaign": campaign.pk, "respondent": respondent_id},
                title=f"{campaign.name} #{row or respondent_id}",
            )

    def handle(self, item: ItemView, context: RunContext) -> Outcome | Wait:
        return calling.handle(
            int(item.payload["respondent"]), int(item.payload["campaign"]), item.id
        )

    @classmethod
    def on_statuses(cls, changes: Sequence[tuple[ItemView, str]]) -> None:
        """Only a completed interview saves a human interviewer's time (the impact figures
        count `manual_minutes_per_item` per done item with `saves_time`)."""
        no_interview = [
            item.id
            for item, status in changes
            if status == ItemStatus.DONE and item.output.get("final_code") != aapor.COMPLETE
        ]
        if no_interview:
            WorkItem.objects.filter(pk__in=no_interview).update(saves_time=False)
