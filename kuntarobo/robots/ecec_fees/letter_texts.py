"""Fixed texts of the ECEC client fee decision letter in Finnish, Swedish and English.

Kept apart from the Typst template so that the template is layout only and the wording can be
reviewed (and corrected by a lawyer) in one place. Placeholders use str.format names.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("fi", "sv", "en")

LABELS: Final[dict[str, dict[str, str]]] = {
    "fi": {
        "title": "Varhaiskasvatuksen asiakasmaksupäätös",
        "service": "Varhaiskasvatus",
        "doc_type": "PÄÄTÖS",
        "doc_type_draft": "LUONNOS",
        "watermark": "LUONNOS",
        "draft_banner": ("LUONNOS – päätöstä ei ole vielä tehty. Tämä asiakirja ei ole päätös."),
        "draft_date": "ei vielä päätetty",
        "number": "Päätösnumero",
        "date": "Päätöspäivä",
        "valid": "Voimassa",
        "maker": "Päätöksentekijä",
        "maker_undecided": "ei vielä päätetty",
        "prepared_by": "Valmistelija",
        "contact": "Lisätietoja antaa",
        "summary_until_further": (
            "Perheen varhaiskasvatuksen asiakasmaksu on yhteensä {total} kuukaudessa "
            "{start} alkaen. Päätös on voimassa toistaiseksi."
        ),
        "summary_until": (
            "Perheen varhaiskasvatuksen asiakasmaksu on yhteensä {total} kuukaudessa "
            "ajalla {start}–{end}."
        ),
        "valid_until_further": "{start} alkaen toistaiseksi",
        "valid_until": "{start}–{end}",
        "decision": "Päätös",
        "fees_intro": "Lasten kuukausimaksut määräytyvät seuraavasti:",
        "col_child": "Lapsi",
        "col_need": "Palvelutarve h/kk",
        "col_coefficient": "Kerroin",
        "col_sibling": "Sisarusjärjestys, osuus",
        "col_before": "Laskettu maksu",
        "col_fee": "Lapsen maksu",
        "family_total": "Perheen maksut yhteensä",
        "born": "s. {date}",
        "sibling": "{rank}. lapsi, {percentage} %",
        "hours_none": "–",
        "alterations": "Maksuun tehdyt tarkistukset",
        "parties": "Asianosaiset",
        "guardians": "Huoltajat",
        "children": "Lapset",
        "child_row": "{name}, s. {date}",
        "basis": "Päätöksen peruste",
        "family_size": "Perheen koko",
        "persons": "{count} henkilöä",
        "person_one": "1 henkilö",
        "incomes": "Tulot",
        "not_reported": "Ei ilmoitettu",
        "income_total": "Tulot yhteensä",
        "income_total_none": "Tuloja ei ole selvitetty",
        "threshold": "Tuloraja",
        "percentage": "Maksuprosentti",
        "per_month": "{amount} / kk",
        "maximum_fee": (
            "Maksu on määrätty korkeimman maksun suuruisena, koska tulotietoja ei ole "
            "toimitettu tai tuloihin perustuva maksu olisi korkein maksu tai sitä suurempi."
        ),
        "parameters": "Sovelletut maksuperusteet",
        "parameters_value": "{date} alkaen voimassa olevat",
        "computation": "Maksun laskeminen",
        "changes": "Muutokset edelliseen päätökseen",
        "no_changes": "Ei muutoksia edelliseen päätökseen.",
        "supersedes": "Tämä päätös korvaa päätöksen {reference}.",
        "legal_basis": "Sovelletut oikeusohjeet",
        "signature": "Päätöksentekijä ja lisätiedot",
        "review": "Oikaisuvaatimusohje",
        "footer_left": "Laskentasäännöt v{rules}, maksuperusteet {parameters} alkaen",
        "footer_right": "Päätös {number}",
    },
    "sv": {
        "title": "Beslut om klientavgift för småbarnspedagogik",
        "service": "Småbarnspedagogik",
        "doc_type": "BESLUT",
        "doc_type_draft": "UTKAST",
        "watermark": "UTKAST",
        "draft_banner": (
            "UTKAST – beslutet har ännu inte fattats. Detta dokument är inte ett beslut."
        ),
        "draft_date": "ännu inte fattat",
        "number": "Beslutsnummer",
        "date": "Beslutsdatum",
        "valid": "Gäller",
        "maker": "Beslutsfattare",
        "maker_undecided": "ännu inte fastställd",
        "prepared_by": "Beredare",
        "contact": "Ytterligare information ger",
        "summary_until_further": (
            "Familjens klientavgift för småbarnspedagogik är sammanlagt {total} i månaden "
            "från och med {start}. Beslutet gäller tills vidare."
        ),
        "summary_until": (
            "Familjens klientavgift för småbarnspedagogik är sammanlagt {total} i månaden "
            "under tiden {start}–{end}."
        ),
        "valid_until_further": "från och med {start} tills vidare",
        "valid_until": "{start}–{end}",
        "decision": "Beslut",
        "fees_intro": "Barnens månadsavgifter bestäms enligt följande:",
        "col_child": "Barn",
        "col_need": "Servicebehov h/mån",
        "col_coefficient": "Koefficient",
        "col_sibling": "Syskonordning, andel",
        "col_before": "Beräknad avgift",
        "col_fee": "Barnets avgift",
        "family_total": "Familjens avgifter sammanlagt",
        "born": "f. {date}",
        "sibling": "barn {rank}, {percentage} %",
        "hours_none": "–",
        "alterations": "Justeringar av avgiften",
        "parties": "Parter",
        "guardians": "Vårdnadshavare",
        "children": "Barn",
        "child_row": "{name}, f. {date}",
        "basis": "Grund för beslutet",
        "family_size": "Familjens storlek",
        "persons": "{count} personer",
        "person_one": "1 person",
        "incomes": "Inkomster",
        "not_reported": "Inte uppgiven",
        "income_total": "Inkomster sammanlagt",
        "income_total_none": "Inkomsterna har inte utretts",
        "threshold": "Inkomstgräns",
        "percentage": "Avgiftsprocent",
        "per_month": "{amount} / mån",
        "maximum_fee": (
            "Avgiften har fastställts till den högsta avgiften, eftersom inkomstuppgifter inte "
            "har lämnats eller den inkomstbaserade avgiften skulle vara lika stor som eller "
            "större än den högsta avgiften."
        ),
        "parameters": "Tillämpade avgiftsgrunder",
        "parameters_value": "gällande från och med {date}",
        "computation": "Beräkning av avgiften",
        "changes": "Ändringar jämfört med föregående beslut",
        "no_changes": "Inga ändringar jämfört med föregående beslut.",
        "supersedes": "Detta beslut ersätter beslut {reference}.",
        "legal_basis": "Tillämpade rättsregler",
        "signature": "Beslutsfattare och ytterligare information",
        "review": "Anvisning för begäran om omprövning",
        "footer_left": "Beräkningsregler v{rules}, avgiftsgrunder från {parameters}",
        "footer_right": "Beslut {number}",
    },
    "en": {
        "title": "Early childhood education client fee decision",
        "service": "Early childhood education",
        "doc_type": "DECISION",
        "doc_type_draft": "DRAFT",
        "watermark": "DRAFT",
        "draft_banner": (
            "DRAFT – the decision has not been made yet. This document is not a decision."
        ),
        "draft_date": "not yet decided",
        "number": "Decision number",
        "date": "Date of decision",
        "valid": "Valid",
        "maker": "Decision maker",
        "maker_undecided": "not yet decided",
        "prepared_by": "Prepared by",
        "contact": "Further information",
        "summary_until_further": (
            "The family's early childhood education client fee is {total} per month in total "
            "from {start}. The decision is valid until further notice."
        ),
        "summary_until": (
            "The family's early childhood education client fee is {total} per month in total "
            "from {start} to {end}."
        ),
        "valid_until_further": "from {start} until further notice",
        "valid_until": "{start} – {end}",
        "decision": "Decision",
        "fees_intro": "The children's monthly fees are determined as follows:",
        "col_child": "Child",
        "col_need": "Service need h/month",
        "col_coefficient": "Coefficient",
        "col_sibling": "Sibling order, share",
        "col_before": "Computed fee",
        "col_fee": "Child's fee",
        "family_total": "The family's fees in total",
        "born": "born {date}",
        "sibling": "child {rank}, {percentage} %",
        "hours_none": "–",
        "alterations": "Adjustments to the fee",
        "parties": "Parties",
        "guardians": "Guardians",
        "children": "Children",
        "child_row": "{name}, born {date}",
        "basis": "Grounds for the decision",
        "family_size": "Family size",
        "persons": "{count} persons",
        "person_one": "1 person",
        "incomes": "Income",
        "not_reported": "Not reported",
        "income_total": "Income in total",
        "income_total_none": "Income has not been established",
        "threshold": "Income threshold",
        "percentage": "Fee percentage",
        "per_month": "{amount} / month",
        "maximum_fee": (
            "The fee has been set at the maximum fee, because income information was not "
            "provided or the income-based fee would equal or exceed the maximum fee."
        ),
        "parameters": "Fee parameters applied",
        "parameters_value": "in force from {date}",
        "computation": "Computation of the fee",
        "changes": "Changes since the previous decision",
        "no_changes": "No changes since the previous decision.",
        "supersedes": "This decision replaces decision {reference}.",
        "legal_basis": "Applicable law",
        "signature": "Decision maker and further information",
        "review": "Instructions for requesting a review",
        "footer_left": "Calculation rules v{rules}, fee parameters from {parameters}",
        "footer_right": "Decision {number}",
    },
}

# How to report changes: the ±10 % income rule and the one-year limit on corrections
# (laki varhaiskasvatuksen asiakasmaksuista 1503/2016, 11 §).
CHANGE_REPORTING: Final[dict[str, dict[str, object]]] = {
    "fi": {
        "heading": "Muutoksista ilmoittaminen",
        "intro": "Ilmoita viipymättä yhteyshenkilölle (ks. Lisätietoja antaa), jos",
        "items": (
            "perheen tulot muuttuvat vähintään 10 prosenttia (nousevat tai laskevat),",
            "perheen koko muuttuu (esimerkiksi perheeseen syntyy lapsi, joku muuttaa pois "
            "tai avioliitto tai avoliitto alkaa tai päättyy) tai",
            "lapsen palvelutarve eli varhaiskasvatuksen tuntimäärä kuukaudessa muuttuu.",
        ),
        "after": (
            "Maksu tarkistetaan muutosta seuraavan kalenterikuukauden alusta. Jos maksu on "
            "perustunut asiakkaan antamiin virheellisiin tai puutteellisiin tietoihin, maksua "
            "voidaan korjata takautuvasti, kuitenkin enintään vuoden ajalta."
        ),
    },
    "sv": {
        "heading": "Anmälan om ändringar",
        "intro": ("Meddela utan dröjsmål kontaktpersonen (se Ytterligare information ger) om"),
        "items": (
            "familjens inkomster ändras med minst 10 procent (ökar eller minskar),",
            "familjens storlek ändras (till exempel ett barn föds, någon flyttar bort eller "
            "ett äktenskap eller samboförhållande börjar eller upphör) eller",
            "barnets servicebehov, dvs. antalet timmar småbarnspedagogik i månaden, ändras.",
        ),
        "after": (
            "Avgiften justeras från början av den kalendermånad som följer efter ändringen. "
            "Om avgiften har grundat sig på felaktiga eller bristfälliga uppgifter som klienten "
            "har lämnat, kan avgiften rättas retroaktivt, dock för högst ett år."
        ),
    },
    "en": {
        "heading": "Reporting changes",
        "intro": "Tell the contact person (see Further information) without delay if",
        "items": (
            "the family's income changes by at least 10 per cent (up or down),",
            "the family size changes (for example a child is born, someone moves out, or a "
            "marriage or cohabitation begins or ends), or",
            "the child's service need, i.e. the hours of early childhood education per month, "
            "changes.",
        ),
        "after": (
            "The fee is revised from the beginning of the calendar month following the change. "
            "If the fee was based on incorrect or incomplete information given by the client, "
            "it may be corrected retroactively, but for at most one year."
        ),
    },
}

# Review instructions (hallintolaki 434/2003, 7 a luku; tiedoksianto 59 §; sähköinen
# tiedoksianto laki 13/2003, 19 §). Each entry is (subheading, paragraphs or list items).
REVIEW: Final[dict[str, dict[str, object]]] = {
    "fi": {
        "intro": (
            "Tähän päätökseen tyytymätön voi tehdä kirjallisen oikaisuvaatimuksen. "
            "Päätökseen ei saa hakea muutosta valittamalla tuomioistuimeen."
        ),
        "who": (
            "Oikaisuvaatimuksen saa tehdä se, johon päätös on kohdistettu tai jonka "
            "oikeuteen, velvollisuuteen tai etuun päätös välittömästi vaikuttaa (asianosainen)."
        ),
        "authority_heading": "Oikaisuvaatimusviranomainen",
        "authority_intro": "Oikaisuvaatimus tehdään viranomaiselle:",
        "visiting": "Käyntiosoite: {address}",
        "email": "Sähköposti: {email}",
        "time_heading": "Oikaisuvaatimusaika",
        "time": (
            "Oikaisuvaatimus on tehtävä 30 päivän kuluessa päätöksen tiedoksisaannista. "
            "Tiedoksisaantipäivää ei lueta määräaikaan. Jos määräajan viimeinen päivä on "
            "pyhäpäivä, itsenäisyyspäivä, vapunpäivä, joulu- tai juhannusaatto tai arkilauantai, "
            "oikaisuvaatimuksen saa tehdä ensimmäisenä arkipäivänä sen jälkeen. "
            "Oikaisuvaatimuksen on oltava perillä viimeistään määräajan viimeisenä päivänä "
            "ennen viraston aukioloajan päättymistä. Oikaisuvaatimus lähetetään lähettäjän "
            "omalla vastuulla."
        ),
        "notification_heading": "Tiedoksisaanti",
        "notification": (
            "Kun päätös on lähetetty tavallisena kirjeenä, asianosaisen katsotaan saaneen "
            "päätöksestä tiedon seitsemäntenä päivänä kirjeen lähettämisestä, jollei muuta "
            "näytetä. Sähköisesti tiedoksi annetun päätöksen katsotaan tulleen tiedoksi "
            "kolmantena päivänä viestin lähettämisestä, jollei muuta näytetä."
        ),
        "content_heading": "Oikaisuvaatimuksen sisältö",
        "content_intro": "Oikaisuvaatimus on tehtävä kirjallisesti. Siinä on ilmoitettava:",
        "content": (
            "päätös, johon oikaisua vaaditaan (esimerkiksi päätösnumero ja päivämäärä),",
            "miltä osin päätökseen vaaditaan oikaisua ja miten sitä vaaditaan muutettavaksi,",
            "millä perusteilla oikaisua vaaditaan,",
            "oikaisuvaatimuksen tekijän nimi ja yhteystiedot (postiosoite, puhelinnumero, "
            "sähköpostiosoite),",
            "oikaisuvaatimuksen tekijän allekirjoitus; sähköpostilla lähetettyä "
            "oikaisuvaatimusta ei tarvitse allekirjoittaa, jos siinä on lähettäjän tiedot.",
        ),
        "fee": "Oikaisuvaatimuksen käsittely on maksutonta.",
    },
    "sv": {
        "intro": (
            "Den som är missnöjd med detta beslut kan skriftligen begära omprövning. "
            "Ändring i beslutet får inte sökas genom besvär hos domstol."
        ),
        "who": (
            "Omprövning får begäras av den som beslutet avser eller vars rätt, skyldighet "
            "eller fördel direkt påverkas av beslutet (part)."
        ),
        "authority_heading": "Myndighet som omprövar beslutet",
        "authority_intro": "Begäran om omprövning riktas till:",
        "visiting": "Besöksadress: {address}",
        "email": "E-post: {email}",
        "time_heading": "Tidsfrist",
        "time": (
            "Omprövning ska begäras inom 30 dagar från delfåendet av beslutet. "
            "Delfåendedagen räknas inte in i tidsfristen. Om den sista dagen av tidsfristen "
            "är en helgdag, självständighetsdagen, första maj, julafton, midsommarafton eller "
            "en helgfri lördag, får omprövning begäras den första vardagen därefter. Begäran "
            "ska vara framme senast den sista dagen av tidsfristen innan ämbetsverkets "
            "öppettid går ut. Begäran sänds på avsändarens eget ansvar."
        ),
        "notification_heading": "Delfående",
        "notification": (
            "Om beslutet har sänts som vanligt brev anses parten ha fått del av beslutet den "
            "sjunde dagen efter att brevet avsändes, om inte något annat visas. Ett beslut som "
            "delgetts elektroniskt anses ha kommit till partens kännedom den tredje dagen "
            "efter att meddelandet sändes, om inte något annat visas."
        ),
        "content_heading": "Innehållet i begäran om omprövning",
        "content_intro": "Begäran om omprövning ska göras skriftligen. Av den ska framgå:",
        "content": (
            "det beslut som omprövning begärs i (till exempel beslutsnummer och datum),",
            "till vilka delar omprövning begärs och hur beslutet ska ändras,",
            "grunderna för begäran,",
            "namnet på den som begär omprövning och hans eller hennes kontaktuppgifter "
            "(postadress, telefonnummer, e-postadress),",
            "underskrift av den som begär omprövning; en begäran som sänds per e-post behöver "
            "inte undertecknas om avsändarens uppgifter framgår av den.",
        ),
        "fee": "Behandlingen av en begäran om omprövning är avgiftsfri.",
    },
    "en": {
        "intro": (
            "If you are not satisfied with this decision, you may request a review in writing. "
            "The decision may not be appealed directly to a court."
        ),
        "who": (
            "A review may be requested by anyone to whom the decision is addressed or whose "
            "rights, obligations or interests are directly affected by it (a party)."
        ),
        "authority_heading": "Authority to which the request is made",
        "authority_intro": "Send the request for review to:",
        "visiting": "Visiting address: {address}",
        "email": "E-mail: {email}",
        "time_heading": "Time limit",
        "time": (
            "The request must be made within 30 days of notification of the decision. The "
            "day of notification is not counted. If the last day of the time limit is a "
            "public holiday, Independence Day, May Day, Christmas Eve, Midsummer Eve or a "
            "Saturday, the request may be made on the next working day. The request must "
            "arrive by the end of office hours on the last day. It is sent at the sender's "
            "own risk."
        ),
        "notification_heading": "Notification",
        "notification": (
            "When the decision is sent by ordinary letter, the party is deemed to have "
            "received it on the seventh day after the letter was posted, unless shown "
            "otherwise. A decision notified electronically is deemed received on the third "
            "day after the message was sent, unless shown otherwise."
        ),
        "content_heading": "Contents of the request",
        "content_intro": "The request must be made in writing and state:",
        "content": (
            "the decision concerned (for example the decision number and date),",
            "which part of the decision should be changed and how,",
            "the grounds for the request,",
            "the requester's name and contact details (postal address, telephone number, "
            "e-mail address),",
            "the requester's signature; a request sent by e-mail need not be signed if it "
            "shows the sender's details.",
        ),
        "fee": "Handling a request for review is free of charge.",
    },
}
