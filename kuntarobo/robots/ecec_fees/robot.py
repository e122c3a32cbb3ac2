"""The ECEC fee decisions robot (class B): computes each family's early-childhood-education
client fees by act 1503/2016, drafts the decision letter in the family's language, and, once an
official approved it, sends the decision by Suomi.fi Messages or as a letter in a print batch.

Fee relief (13 §) needs a person's judgement: such families go to a person, never to the robot.
What a decision says (its periods, basis, engine input and letter) is worked out in
decision_content, which the delivery uses too; this module is the robot and what only it needs.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from kuntarobo.robots.ecec_fees import (
    calculator,
    changes,
    decision_content,
    families,
    fee_texts,
    fees,
    import_texts,
    letters,
    records,
)
from kuntarobo.robots.ecec_fees.delivery import deliver_decision
from kuntarobo.robots.ecec_fees.models import (
    FeeDecision,
    FeeParameterRow,
)
from kuntarobo.robots.ecec_fees.municipal import (
    MissingTextError,
    MunicipalFeeSettings,
    first_of_next_month,
)
from kuntarobo.robots.ecec_fees.municipal_settings import SCHEMA, SLUG, settings_of
from kuntarobo.robots.ecec_fees.records import on_item_status, on_item_statuses
from kuntarobo.robots.ecec_fees.staff_views import DECISIONS_PERMISSION
from kuntarobo.sdk import (
    BusinessException,
    Document,
    InputError,
    ItemSpec,
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
    message,
    register,
)
from kuntarobo.sdk.decisions import DECIDED, DecisionStatus, format_number, take_numbers
from kuntarobo.sdk.inputs import LimitExceeded, input_limits, limit_input_error
from kuntarobo.sdk.models import Municipality, RobotSettings
from kuntarobo.sdk.settings import settings_row_in_force

MAX_ERRORS_SHOWN = 20
INPUT_SUFFIXES = (".jsonl", ".ndjson")


class _Cache:
    """Parameter and settings rows never change once used (a new dated row is added instead),
    so a worker reads each one once: 14,000 families need two queries, not 28,000."""

    parameters: dict[int, tuple[datetime.date, fees.FeeParameters]] = {}
    settings: dict[int, tuple[datetime.date, MunicipalFeeSettings]] = {}


def parameters_row_on(day: datetime.date) -> Any:
    """The national parameter row in force on the day, or InputError naming what is missing."""
    row = FeeParameterRow.objects.in_force_on(day)
    if row is None:
        raise InputError(
            _("no ECEC fee parameters are in force on %(date)s"),
            field="period_start",
            date=day.isoformat(),
        )
    if not row.complete:
        raise InputError(
            _(
                "the ECEC fee parameters from %(valid_from)s lack the income thresholds: an "
                "administrator must enter them before fees for %(date)s can be computed"
            ),
            field="period_start",
            valid_from=row.valid_from.isoformat(),
            date=day.isoformat(),
        )
    return row


def settings_row_on(municipality_id: int, day: datetime.date) -> Any:
    row = settings_row_in_force(municipality_id, EcecFeeRobot, day)
    if row is None:
        raise InputError(
            _(
                "the municipality has no ECEC fee settings in force on %(date)s (authority, "
                "contact person, review authority): set them on the robot's settings page or with "
                "'kuntarobo settings set ecec_fees'"
            ),
            field="period_start",
            date=day.isoformat(),
        )
    return row


def cached_parameters(row_id: int) -> tuple[datetime.date, fees.FeeParameters]:
    if row_id not in _Cache.parameters:
        row = FeeParameterRow.objects.get(pk=row_id)
        _Cache.parameters[row_id] = (row.valid_from, row.as_parameters())
    return _Cache.parameters[row_id]


EXAMPLE_FIGURES_ATTENTION = {
    "fi": "Esimerkkiluvut, ei virallisia: tämän jakson lain maksuluvut on syöttänyt demo. "
    "Älä lähetä päätöstä perheelle.",
    "sv": "Exempelbelopp, inte officiella: lagens avgiftsbelopp för perioden har matats in av "
    "demon. Skicka inte beslutet till en familj.",
    "en": "Example figures, not official: the act's figures of this period were entered by the "
    "demo. Do not send this decision to a family.",
}


def example_figures_text(language: str) -> str:
    """The reviewer's first attention line for a fee computed with example figures."""
    return EXAMPLE_FIGURES_ATTENTION.get(language, EXAMPLE_FIGURES_ATTENTION["fi"])


def cached_settings(row_id: int) -> tuple[datetime.date, MunicipalFeeSettings]:
    if row_id not in _Cache.settings:
        row = RobotSettings.objects.get(pk=row_id)
        assert row.valid_from is not None  # the fee settings are dated
        _Cache.settings[row_id] = (row.valid_from, settings_of(row))
    return _Cache.settings[row_id]


@register
class EcecFeeRobot(Robot):
    slug = SLUG
    name = Text(
        fi="Varhaiskasvatuksen maksupäätökset",
        sv="Beslut om avgifter för småbarnspedagogik",
        en="ECEC fee decisions",
    )
    description = Text(
        fi="Laskee perheiden varhaiskasvatuksen asiakasmaksut lain 1503/2016 mukaan, laatii "
        "maksupäätökset perheen kielellä ja lähettää ne viranhaltijan hyväksymisen jälkeen "
        "Suomi.fi-viesteinä tai kirjeinä.",
        sv="Beräknar familjernas klientavgifter för småbarnspedagogik enligt lagen 1503/2016, "
        "gör avgiftsbesluten på familjens språk och skickar dem efter tjänsteinnehavarens "
        "godkännande som Suomi.fi-meddelanden eller brev.",
        en="Computes families' early-childhood-education client fees by act 1503/2016, drafts "
        "the fee decisions in the family's language and, once an official approved them, sends "
        "them by Suomi.fi Messages or as letters.",
    )
    robot_class = RobotClass.PREPARES
    municipal_settings = SCHEMA
    systems = (
        Text(
            fi="varhaiskasvatuksen asiakasjärjestelmän aineisto (JSON Lines)",
            sv="export från klientsystemet för småbarnspedagogik (JSON Lines)",
            en="ECEC client system export (JSON Lines)",
        ),
        Text(fi="Suomi.fi-viestit", sv="Suomi.fi-meddelanden", en="Suomi.fi Messages"),
        Text(fi="tulostuserä", sv="utskriftsparti", en="print batch"),
    )
    manual_minutes_per_item = Decimal("12")
    accepts_upload = True
    upload_suffixes = INPUT_SUFFIXES
    rule_version = decision_content.RULE_VERSION
    retention = "kuntarobo.robots.ecec_fees.retention"
    pages = (
        RobotPage(
            Text(
                fi="Maksupäätökset ja tulostuserät",
                sv="Avgiftsbeslut och utskriftspartier",
                en="Fee decisions and print batches",
            ),
            "ecec_fees_staff:decisions",
            permission=DECISIONS_PERMISSION,
        ),
        RobotPage(
            Text(
                fi="Lain maksuluvut (tulorajat ja enimmäismaksut)",
                sv="Lagens avgiftsbelopp (inkomstgränser och maximiavgifter)",
                en="The act's fee figures (income thresholds and maximum fees)",
            ),
            "ecec_fees_staff:parameters",
        ),
    )
    # Mounted by the platform: staff pages, the calculator API and the public fee estimate.
    urls = "kuntarobo.robots.ecec_fees.staff_urls"
    api_urls = "kuntarobo.robots.ecec_fees.api_urls"
    public_urls = (("varhaiskasvatusmaksu/", "kuntarobo.robots.ecec_fees.urls"),)
    parameters = (
        Parameter(
            "period_start",
            Text(
                fi="Päätökset alkaen (oletus: seuraavan kuun 1. päivä)",
                sv="Besluten från (standard: den 1 nästa månad)",
                en="Decisions from (default: the 1st of next month)",
            ),
            kind="date",
            help=Text(
                fi="Päätökset alkavat aikaisintaan tästä päivästä. Rivit, joilla on oma "
                "aikaisempi alkupäivä, alkavat tästä päivästä; myöhempi oma alkupäivä pysyy. "
                "Ajon yhteenveto kertoo, monenko rivin alkupäivää siirrettiin.",
                sv="Besluten börjar tidigast denna dag. Rader med ett eget tidigare startdatum "
                "börjar denna dag; ett eget senare startdatum står kvar. Körningens "
                "sammanfattning anger hur många raders startdatum flyttades.",
                en="Decisions begin on this day at the earliest. Lines with an earlier start "
                "date of their own begin on this day; a later one of their own stands. The "
                "run's summary says how many lines' start dates were moved.",
            ),
        ),
        Parameter(
            "input_folder",
            Text(fi="Perhetietojen kansio", sv="Mapp för familjedata", en="Family data folder"),
            kind="folder",
            default="",
        ),
    )
    audit_actions = {
        "ecec_fees.decisions.view": Text(
            fi="Maksupäätösluettelo avattu",
            sv="Förteckningen över avgiftsbeslut öppnad",
            en="Fee decision list viewed",
        ),
        "ecec_fees.decision.download": Text(
            fi="Maksupäätös ladattu", sv="Avgiftsbeslut nedladdat", en="Fee decision downloaded"
        ),
        "ecec_fees.parameters_add": Text(
            fi="Valtakunnalliset maksuperusteet lisätty",
            sv="Nationella avgiftsgrunder tillagda",
            en="National fee parameters added",
        ),
        "ecec_fees.print_batch": Text(
            fi="Tulostuserä tehty", sv="Utskriftsparti gjort", en="Print batch made"
        ),
        "ecec_fees.print_batch.download": Text(
            fi="Tulostuserä ladattu", sv="Utskriftsparti nedladdat", en="Print batch downloaded"
        ),
    }
    # The family's record, fingerprints and parameter rows stay internal (raw data for
    # administrators); the proposal and its reasoning show the family's figures.
    input_fields = (
        OutputField(
            "period_start",
            Text(fi="Jakso alkaa", sv="Perioden börjar", en="Period starts"),
            kind="date",
        ),
        OutputField(
            "next_period_start",
            Text(fi="Seuraava jakso alkaa", sv="Nästa period börjar", en="Next period starts"),
            kind="date",
        ),
    )
    output_fields = (
        OutputField(
            "decision_number", Text(fi="Päätösnumero", sv="Beslutsnummer", en="Decision number")
        ),
        OutputField("valid_from", Text(fi="Alkaen", sv="Från", en="From"), kind="date"),
        OutputField(
            "family_size",
            Text(fi="Perheen koko", sv="Familjens storlek", en="Family size"),
            kind="integer",
        ),
        OutputField(
            "income_total",
            Text(fi="Tulot yhteensä / kk", sv="Inkomster sammanlagt / mån", en="Income / month"),
            kind="cents",
        ),
        OutputField(
            "children", Text(fi="Lapset ja maksut", sv="Barn och avgifter", en="Children and fees")
        ),
        OutputField(
            "total_fee",
            Text(fi="Maksut yhteensä / kk", sv="Avgifter sammanlagt / mån", en="Total fee / month"),
            kind="cents",
        ),
        OutputField(
            "previous_total_fee",
            Text(fi="Aiempi maksu / kk", sv="Tidigare avgift / mån", en="Previous fee / month"),
            kind="cents",
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Robotti lukee perheiden tiedot varhaiskasvatuksen asiakastietojärjestelmän "
            "siirtotiedostosta, laskee maksut, vertaa aiempaan päätökseen ja laatii "
            "päätösluonnoksen. Viranhaltija tarkistaa ja hyväksyy; robotti lähettää.",
            sv="Roboten läser familjernas uppgifter ur klientsystemets exportfil, beräknar "
            "avgifterna, jämför med det tidigare beslutet och gör ett beslutsutkast. "
            "Tjänsteinnehavaren granskar och godkänner; roboten skickar.",
            en="The robot reads families from the ECEC client system's export, computes the "
            "fees, compares with the previous decision and drafts the decision. An official "
            "reviews and approves; the robot sends.",
        ),
        steps=(
            PathStep(
                Text(fi="Lue perhetiedot", sv="Läs familjedata", en="Read family data"),
                "robot",
                Text(
                    fi="varhaiskasvatuksen asiakasjärjestelmä",
                    sv="klientsystemet för småbarnspedagogik",
                    en="ECEC client system",
                ),
            ),
            PathStep(
                Text(
                    fi="Laske maksut voimassa olevilla parametreilla",
                    sv="Beräkna avgifterna med gällande parametrar",
                    en="Compute the fees with the parameters in force",
                ),
                "robot",
            ),
            PathStep(
                Text(
                    fi="Vertaa aiempaan päätökseen ja laadi päätösluonnos (PDF)",
                    sv="Jämför med tidigare beslut och gör ett utkast (PDF)",
                    en="Compare with the previous decision and draft the letter (PDF)",
                ),
                "robot",
            ),
            PathStep(
                Text(
                    fi="Tarkista ja hyväksy päätös",
                    sv="Granska och godkänn beslutet",
                    en="Review and approve the decision",
                ),
                "person",
            ),
            PathStep(
                Text(
                    fi="Lähetä Suomi.fi-viestinä tai tulostuserään",
                    sv="Skicka som Suomi.fi-meddelande eller till utskrift",
                    en="Send by Suomi.fi Messages or to the print batch",
                ),
                "robot",
                Text(
                    fi="Suomi.fi-viestit / tulostus",
                    sv="Suomi.fi-meddelanden / utskrift",
                    en="Suomi.fi Messages / print",
                ),
            ),
        ),
        inputs=(
            Text(
                fi="Perhetiedot JSON Lines -muodossa (yksi perhe riviä kohden)",
                sv="Familjedata som JSON Lines (en familj per rad)",
                en="Family data as JSON Lines (one family per line)",
            ),
        ),
        outputs=(
            Text(
                fi="Maksupäätökset (PDF) suomeksi tai ruotsiksi",
                sv="Avgiftsbeslut (PDF) på finska eller svenska",
                en="Fee decisions (PDF) in Finnish or Swedish",
            ),
        ),
        rules=(
            Text(
                fi="Laki varhaiskasvatuksen asiakasmaksuista 1503/2016: tulorajat, 10,7 %, "
                "enimmäis- ja vähimmäismaksu, sisarusalennus, palveluntarve",
                sv="Lagen 1503/2016: inkomstgränser, 10,7 %, högsta och lägsta avgift, "
                "syskonrabatt, servicebehov",
                en="Act 1503/2016: income thresholds, 10.7 %, maximum and minimum fee, sibling "
                "shares, service need",
            ),
            Text(
                fi="Pyöristys täysiin euroihin perusmaksun, sisarusosuuden ja palveluntarpeen "
                "jälkeen; maksumuutokset viimeisenä sentin tarkkuudella",
                sv="Avrundning till hela euro efter grundavgift, syskonandel och servicebehov; "
                "ändringar sist på centen",
                en="Rounded to whole euros after the base fee, the sibling share and the service "
                "need; alterations last, to the cent",
            ),
        ),
        business_exceptions=(
            Text(
                fi="Perhe hakee maksun alentamista tai perimättä jättämistä (13 §)",
                sv="Familjen ansöker om nedsättning eller efterskänkande av avgiften (13 §)",
                en="The family applies for fee relief (13 §)",
            ),
            Text(
                fi="Yksikään lapsi ei ole varhaiskasvatuksessa jakson alkaessa",
                sv="Inget barn deltar i småbarnspedagogik när perioden börjar",
                en="No child is in ECEC when the period starts",
            ),
        ),
        technical_exceptions=(
            Text(
                fi="Suomi.fi-viestit ei vastaa",
                sv="Suomi.fi-meddelanden svarar inte",
                en="Suomi.fi Messages does not answer",
            ),
        ),
        human_role=Text(
            fi="Viranhaltija tarkistaa päätökset (poikkeukset merkitty), hyväksyy ne ja päättää "
            "maksun alentamisesta harkintansa mukaan.",
            sv="Tjänsteinnehavaren granskar besluten (avvikelser är markerade), godkänner dem "
            "och prövar nedsättning av avgiften.",
            en="An official reviews the decisions (exceptions are flagged), approves them and "
            "decides on fee relief case by case.",
        ),
        volume=Text(
            fi="Kunnassa tuhansia perheitä; uudet päätökset elokuussa ja muutosten mukaan",
            sv="Tusentals familjer; nya beslut i augusti och vid ändringar",
            en="Thousands of families; new decisions each August and on changes",
        ),
    )

    def produce(self, context: RunContext) -> Iterator[ItemSpec]:
        path, name = context.input_or_newest(
            INPUT_SUFFIXES,
            folder_parameter="input_folder",
            no_input=_("give an input file, or set the input folder parameter"),
            missing=_("input folder %(folder)s does not exist"),
            empty=_("input folder %(folder)s has no .jsonl files"),
        )
        raw_start = context.parameters.get("period_start")
        period_start = (
            datetime.date.fromisoformat(str(raw_start))
            if raw_start
            else first_of_next_month(timezone.localdate())
        )
        try:
            records, errors = families.read_families_file(
                path, default_period_start=period_start, limits=input_limits()
            )
        except LimitExceeded as error:
            raise limit_input_error(error, name) from None
        if errors:
            raise InputError(
                import_texts.import_refusal(name, errors, MAX_ERRORS_SHOWN), field="file"
            )
        if not records:
            raise InputError(_("%(file)s: no families"), field="file", file=name)
        if raw_start:
            records = _from_the_chosen_day(records, period_start, context)
        municipality_id = Municipality.objects.only("pk").get(slug=context.municipality_slug).pk
        rows: dict[datetime.date, tuple[Any, Any]] = {}
        unavailable: dict[datetime.date, str] = {}

        def rows_on(day: datetime.date) -> None:
            if day not in rows:
                rows[day] = (parameters_row_on(day), settings_row_on(municipality_id, day))

        # Every decision period is split where a row of the national figures or of the
        # municipality's settings begins: a decision never runs on figures no longer in force.
        splits = set(FeeParameterRow.objects.values_list("valid_from", flat=True))
        splits.update(
            day
            for day in RobotSettings.objects.filter(
                municipality_id=municipality_id, robot_slug=SLUG, valid_from__isnull=False
            ).values_list("valid_from", flat=True)
            if day is not None
        )
        periods: dict[str, list[datetime.date]] = {}
        without_parameters = 0
        for record in records:
            first, *later = decision_content.decision_periods(record, splits)
            rows_on(first)  # no parameters for a line's first day refuses the whole file
            for day in later:
                if day in rows or day in unavailable:
                    continue
                try:
                    rows_on(day)
                except InputError as error:
                    # E.g. the row from 1.8.2026 before its income thresholds are entered: the
                    # part from that day goes to a person, never computed on older figures.
                    unavailable[day] = str(error)
            without_parameters += sum(1 for day in later if day in unavailable)
            periods[record.family_id] = [first, *later]
        current: dict[str, set[str]] = {}  # the bases of each family's decisions in force
        decided: set[str] = set()  # families with any decision: the others need no lookups
        for family_id, basis, status in (
            FeeDecision.objects.filter(municipality_id=municipality_id, status__in=DECIDED)
            .values_list("family_id", "basis", "status")
            .iterator()
        ):
            decided.add(family_id)
            if status != DecisionStatus.SUPERSEDED:
                current.setdefault(family_id, set()).add(basis)
        context.log(
            message(
                ngettext_lazy(
                    "read %(count)d family from %(file)s",
                    "read %(count)d families from %(file)s",
                    "count",
                ),
                count=len(records),
                file=name,
            )
        )
        unchanged = 0
        for line in records:
            days = periods[line.family_id]
            for index, day in enumerate(days):
                # The first decision keeps the line's own first day (decision_start() moves it
                # when no child is in ECEC yet); later ones start on the day the children change.
                record = line if index == 0 else dataclasses.replace(line, period_start=day)
                if day in unavailable:
                    canonical = record.to_json()
                    payload: dict[str, Any] = {"unavailable": unavailable[day]}
                else:
                    parameters_row, settings_row = rows[day]
                    canonical = record.to_json()  # once: 14,000 families took it three times
                    basis = decision_content.basis_of(
                        record, parameters_row.valid_from, settings_row.valid_from, canonical
                    )
                    if basis in current.get(record.family_id, ()):
                        unchanged += 1
                        continue
                    payload = {
                        "parameters_row": parameters_row.pk,
                        "settings_row": settings_row.pk,
                        # Most families' first decision: handle() then skips two queries per
                        # family. (A decision decided meanwhile is still superseded when sent.)
                        "has_decisions": record.family_id in decided,
                    }
                yield _period_item(record, day, canonical, payload, days, index, rows)
        if without_parameters:
            context.log(
                message(
                    ngettext_lazy(
                        "%(count)d later decision period falls on a day without complete fee "
                        "parameters or municipal settings: not computed on older figures, it "
                        "goes to a person",
                        "%(count)d later decision periods fall on days without complete fee "
                        "parameters or municipal settings: not computed on older figures, each "
                        "goes to a person",
                        "count",
                    ),
                    count=without_parameters,
                ),
                "warning",
            )
        if unchanged:
            context.skip("unchanged", unchanged)
            context.log(
                message(
                    ngettext_lazy(
                        "%(count)d family unchanged since its decision in force: no new decision",
                        "%(count)d families unchanged since their decision in force: no new "
                        "decision",
                        "count",
                    ),
                    count=unchanged,
                )
            )

    def handle(self, item: ItemView, context: RunContext) -> Outcome:
        payload = dict(item.payload)
        period_start = datetime.date.fromisoformat(str(payload["period_start"]))
        try:
            record = families.parse_family(payload["family"], default_period_start=period_start)
        except families.FamilyError as error:
            raise BusinessException(
                import_texts.family_refusal(error.errors, MAX_ERRORS_SHOWN)
            ) from None
        record = decision_content.decision_start(record)
        if payload.get("unavailable"):
            # Looked up again: retried once an administrator completed the figures, it is done.
            try:
                payload["parameters_row"] = parameters_row_on(period_start).pk
                payload["settings_row"] = settings_row_on(item.municipality_id, period_start).pk
            except InputError as error:
                raise BusinessException(
                    message(
                        _(
                            "No fee is computed from %(day)s: %(reason)s. The fee is never "
                            "computed on the figures of an earlier period: a person decides this "
                            "part, or retries it once the figures in force from that day are "
                            "complete."
                        ),
                        day=f"{period_start:%-d.%-m.%Y}",
                        reason=message(error.message, **error.params),
                    )
                ) from None
        if record.fee_relief_requested:
            raise BusinessException(
                _(
                    "The family applies for fee relief (act 1503/2016, 13 §): a person decides "
                    "the fee; the robot does not."
                )
            )
        parameters_from, parameters, settings_from, settings, fee = _computed(
            record, period_start, int(payload["parameters_row"]), int(payload["settings_row"])
        )
        try:  # before a number is taken: a letter the settings cannot make goes to a person
            settings.check_texts(record.language)
        except MissingTextError as error:
            raise BusinessException(fee_texts.reason(error)) from None
        number = decision_number(item, settings.decision_number_prefix, record.period_start)
        current = decision_content.snapshot_of(number, record, fee, parameters_from)
        has_decisions = bool(payload.get("has_decisions", True))
        preceding = payload.get("preceding")
        previous_decision = (
            FeeDecision.objects.previous_for(
                item.municipality_id, record.family_id, record.period_start
            )
            if has_decisions and not preceding
            else None
        )
        previous = (
            changes.DecisionSnapshot.from_json(previous_decision.snapshot)
            if previous_decision
            else _preceding_snapshot(record, preceding)
        )
        found = changes.describe_changes(previous, current)
        rules = changes.AttentionRules(
            large_change_percent=settings.large_change_percent,
            large_change_cents=settings.large_change_cents,
            maximum_age_years=settings.maximum_age_years,
            retroactive_limit_months=settings.retroactive_limit_months,
        )
        flags = changes.attention_flags(record, current, previous, rules, timezone.localdate())
        following = (
            FeeDecision.objects.following(
                item.municipality_id, record.family_id, record.period_start
            )
            if has_decisions
            else None
        )
        ends = [
            child.placement.end
            for child in record.children
            if child.in_ecec_on(record.period_start) and child.placement.end is not None
        ]
        if payload.get("next_period_start"):
            next_start = datetime.date.fromisoformat(str(payload["next_period_start"]))
            ends.append(next_start - datetime.timedelta(days=1))
        ends_on = min(ends, default=None)
        limits = [ends_on] if ends_on else []
        if following is not None:
            limits.append(following.valid_from - datetime.timedelta(days=1))
        valid_until = min(limits) if limits else None
        supersedes = (
            f"{previous_decision.decision_number} ({previous_decision.valid_from:%-d.%-m.%Y})"
            if previous_decision
            else None
        )
        family_changes = [changes.change_text(c, record.language) for c in found]
        # The figures this fee was computed on say themselves whether they are the demo's
        # example figures (a row replaced later is a new row: a cached row never changes).
        example = parameters.example_figures
        letter = decision_content.build_letter(
            record=record,
            fee=fee,
            settings=settings,
            number=number,
            parameters=parameters,
            change_lines=family_changes,
            supersedes=supersedes,
            valid_until=valid_until,
            example_figures=example,
        )
        pdf = letters.render_pdf(letter)
        names = {child.id: child.name for child in record.children}
        officials = settings.officials_language
        return Outcome(
            output={
                "decision_number": number,
                "valid_from": record.period_start.isoformat(),
                "family_size": fee.family_size,
                "income_total": fee.income_total,
                "children": "; ".join(
                    f"{names[c.id]} {letters.format_euros(c.final_fee, officials)}"
                    for c in fee.children
                ),
                "total_fee": fee.total_fee,
                "previous_total_fee": previous.total_fee if previous else None,
            },
            record={
                "family_id": record.family_id,
                "language": record.language,
                "fingerprint": str(payload["fingerprint"]),
                "basis": decision_content.basis_of(record, parameters_from, settings_from),
                "valid_until": valid_until.isoformat() if valid_until else None,
                "ends_on": ends_on.isoformat() if ends_on else None,
                "parameters_valid_from": parameters_from.isoformat(),
                "settings_valid_from": settings_from.isoformat(),
                "settings_row": int(payload["settings_row"]),
                "snapshot": current.to_json(),
                "supersedes": previous_decision.pk if previous_decision else None,
                "supersedes_text": supersedes,
                "changes": family_changes,
                "result": _result_json(fee, officials),
            },
            explanation=[
                *decision_content.computation_lines(
                    fee, {c.id: c for c in record.children}, officials
                ),
                *(changes.change_text(c, officials) for c in found),
            ],
            attention=[
                *([example_figures_text(officials)] if example else []),
                *(changes.flag_text(flag, officials) for flag in flags),
            ],
            documents=[Document(f"{number}-luonnos.pdf", pdf, "application/pdf")],
        )

    def deliver(self, item: ItemView, context: RunContext) -> None:
        deliver_decision(item, context)

    @classmethod
    def on_letters_posted(
        cls, municipality_id: int, references: Sequence[str], posted_on: datetime.date
    ) -> None:
        records.letters_posted(municipality_id, references, posted_on)

    @classmethod
    def approval_refusal(cls, item: ItemView, reviewer_id: int | None) -> str | None:
        return records.approval_refusal(item, reviewer_id)

    @classmethod
    def on_status(cls, item: ItemView, status: str) -> None:
        on_item_status(item, status)

    @classmethod
    def on_statuses(cls, changes: Sequence[tuple[ItemView, str]]) -> None:
        on_item_statuses(changes)


def _moved_lines_text(count: int, day: str) -> str:
    return ngettext(
        "%(count)d line of the file had an earlier start date of its own: its decision "
        "begins on the chosen day %(day)s.",
        "%(count)d lines of the file had an earlier start date of their own: their decisions "
        "begin on the chosen day %(day)s.",
        count,
    ) % {"count": count, "day": day}


_moved_lines = lazy(_moved_lines_text, str)


def _from_the_chosen_day(
    records: list[families.FamilyRecord], first_day: datetime.date, context: RunContext
) -> list[families.FamilyRecord]:
    """ "Decisions from" chosen for a run is the earliest day a decision of the run begins: a
    line with an earlier start date of its own begins on it (no decision is made backwards
    past the day the person chose), a later one keeps its own; the run's summary says how
    many lines were moved."""
    moved = 0
    kept = []
    for record in records:
        if record.period_start < first_day:
            record = dataclasses.replace(record, period_start=first_day)
            moved += 1
        kept.append(record)
    if moved:
        context.notice(_moved_lines(moved, first_day.strftime("%-d.%-m.%Y")))
        context.log(
            message(
                ngettext_lazy(
                    "%(count)d line started before %(day)s: moved to it",
                    "%(count)d lines started before %(day)s: moved to them",
                    "count",
                ),
                count=moved,
                day=first_day.strftime("%-d.%-m.%Y"),
            )
        )
    return kept


def decision_number(item: ItemView, prefix: str, period_start: datetime.date) -> str:
    """The municipality's next running number in the robot's series of the decision's year
    (e.g. VAKA-2026-00042); an item done again keeps the number its draft has.

    Taken in its own short transaction when the fee is known (every business exception lies
    before), so that two workers hold the series row only for a moment. A number is not given
    back: the draft of a rejected or abandoned item stays in the register as discarded, and
    in the rare case that the item's result is never written (an error after this point, a
    result whose claim was lost, a worker that dies before committing) the series has a gap.
    """
    if item.attempt > 1:
        kept = (
            FeeDecision.objects.filter(work_item_id=item.id, status=DecisionStatus.DRAFT)
            .values_list("decision_number", flat=True)
            .first()
        )
        if kept:
            return kept
    year = period_start.year
    (number,) = take_numbers(item.municipality_id, SLUG, year)
    return format_number(prefix, year, number)


def _period_item(
    record: Any,
    day: datetime.date,
    canonical: dict[str, Any],
    payload: dict[str, Any],
    days: list[datetime.date],
    index: int,
    rows: dict[datetime.date, tuple[Any, Any]],
) -> ItemSpec:
    """One decision period's item: the family as read, its first day, the next part's first day
    and the rows the part before it was computed on (what a later part is compared with)."""
    fingerprint = record.fingerprint(canonical)
    payload = {
        "family": canonical,
        "period_start": day.isoformat(),
        "fingerprint": fingerprint,
        **payload,
    }
    if index + 1 < len(days):
        payload["next_period_start"] = days[index + 1].isoformat()
    if index > 0 and days[index - 1] in rows:
        before = rows[days[index - 1]]
        payload["preceding"] = {
            "period_start": days[index - 1].isoformat(),
            "parameters_row": before[0].pk,
            "settings_row": before[1].pk,
        }
    return ItemSpec(
        reference=f"{record.family_id}:{record.period_start}:{fingerprint[:16]}",
        title=f"{record.family_id} {day:%d.%m.%Y}",
        payload=payload,
        deadline=day,
    )


def _computed(
    record: families.FamilyRecord,
    period_start: datetime.date,
    parameters_row: int,
    settings_row: int,
) -> tuple[datetime.date, fees.FeeParameters, datetime.date, MunicipalFeeSettings, fees.FamilyFee]:
    """The fee of a family from its decision's first day, with the rows used; a business
    exception names what keeps the robot from computing it."""
    if record.period_start != period_start:
        try:
            parameters_row = parameters_row_on(record.period_start).pk
        except InputError as error:
            raise BusinessException(message(error.message, **error.params)) from None
    parameters_from, parameters = cached_parameters(parameters_row)
    settings_from, settings = cached_settings(settings_row)
    try:
        family = decision_content.family_input(record, settings)
    except ValueError as error:
        raise BusinessException(fee_texts.reason(error)) from None
    if not any(child.charged for child in family.children):
        raise BusinessException(
            message(
                _("No child of the family is in ECEC on %(day)s: no fee decision is needed."),
                day=f"{record.period_start:%d.%m.%Y}",
            )
        )
    try:
        fee = fees.calculate_fees(parameters, family)
    except ValueError as error:
        raise BusinessException(fee_texts.reason(error)) from None
    return parameters_from, parameters, settings_from, settings, fee


def _preceding_snapshot(
    record: families.FamilyRecord, preceding: object
) -> changes.DecisionSnapshot | None:
    """The decision the same line makes for the days before this one, computed again here (it
    may not be approved yet): what changes on this decision's first day is compared with it."""
    if not isinstance(preceding, dict):
        return None
    day = datetime.date.fromisoformat(str(preceding["period_start"]))
    earlier = decision_content.decision_start(dataclasses.replace(record, period_start=day))
    try:
        parameters_from, _parameters, _settings_from, _settings, fee = _computed(
            earlier, day, int(preceding["parameters_row"]), int(preceding["settings_row"])
        )
    except BusinessException:
        return None  # that decision cannot be made either; nothing to compare with
    return decision_content.snapshot_of("", earlier, fee, parameters_from)


def _result_json(fee: fees.FamilyFee, language: str) -> dict[str, Any]:
    return calculator.response(fee, language)
