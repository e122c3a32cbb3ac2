"""How the practice system's export maps onto kuntarobo's HR exchange format: the JSON an
administrator stores in the HR reports robot's settings (`ColumnMapping.from_json`).

A plain dict on purpose: the practice system is "another system" and knows nothing of
kuntarobo; the HR robot's tests read this dict exactly as an administrator would paste it.
"""

from __future__ import annotations

HR_EXCHANGE_MAPPING: dict[str, dict[str, object]] = {
    "sheets": {
        "units": "Yksiköt",
        "employees": "Henkilöt",
        "employments": "Palvelussuhteet",
        "payments": "Palkkatapahtumat",
        "absences": "Poissaolot",
    },
    "columns": {
        "units": {
            "unit_id": "Yksikkötunnus",
            "unit_name": "Yksikön nimi",
            "supervisor_name": "Esihenkilö",
            "supervisor_email": "Esihenkilön sähköposti",
            "language": "Asiointikieli",
        },
        "employees": {
            "employee_id": "Henkilönumero",
            "last_name": "Sukunimi",
            "first_name": "Etunimi",
            "unit_id": "Yksikkötunnus",
        },
        "employments": {
            "employment_id": "Palvelussuhdenumero",
            "employee_id": "Henkilönumero",
            "unit_id": "Yksikkötunnus",
            "type": "Palvelussuhteen laji",
            "title": "Nimike",
            "start_date": "Alkamispäivä",
            "end_date": "Päättymispäivä",
            "end_reason": "Päättymisen syy",
            "part_time_percent": "Osa-aikaprosentti",
        },
        "payments": {
            "employee_id": "Henkilönumero",
            "payment_date": "Maksupäivä",
            "period_start": "Ansaintajakso alkaa",
            "period_end": "Ansaintajakso päättyy",
            "income_type": "Palkkalaji",
            "amount": "Summa (€)",
        },
        "absences": {
            "employee_id": "Henkilönumero",
            "start_date": "Alkamispäivä",
            "end_date": "Päättymispäivä",
            "type": "Poissaolokoodi",
            "paid": "Palkallinen",
        },
    },
    "codes": {
        "units.language": {"suomi": "fi", "ruotsi": "sv"},
        "employments.type": {"VAK": "permanent", "MÄÄR": "fixed_term"},
        "absences.type": {
            "SA": "sickness",
            "VL": "annual_leave",
            "PV": "family_leave",
            "PL": "unpaid",
            "MU": "other",
        },
        "absences.paid": {"K": "yes", "E": "no"},
    },
}
