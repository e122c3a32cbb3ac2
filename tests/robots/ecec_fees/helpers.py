"""Families, settings and a municipality for the fee robot's tests."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

from kuntarobo.robots.ecec_fees.municipal import example_settings
from kuntarobo.robots.ecec_fees.robot import EcecFeeRobot
from kuntarobo.runtime.settings_actions import save_robot_settings

PERIOD = datetime.date(2025, 1, 1)  # the parameters from 1 August 2024 are in force
SETTINGS_FROM = datetime.date(2020, 1, 1)  # the municipal settings configure() stores
# Valid identity codes (check characters computed): guardians of the 1900s, children of 2000s.
MAIJA = "010180-1232"
SVEN = "020275-222D"


def family(family_id: str = "F-1", **changes: Any) -> dict[str, Any]:
    """The worked example of the fee rules: 3 persons, 6,000 €/month, children of 2 and 4."""
    data: dict[str, Any] = {
        "family_id": family_id,
        "language": "fi",
        "size": 3,
        "guardians": [
            {
                "name": "Maija Meikäläinen",
                "identity_code": MAIJA,
                "address": {
                    "street": "Kuusitie 5 B 12",
                    "postal_code": "00100",
                    "city": "Helsinki",
                },
                "email": "maija@example.fi",
            }
        ],
        "incomes": [{"person": "Maija Meikäläinen", "amount": 600000, "source": "tulorekisteri"}],
        "children": [
            child("C-1", "Aino Meikäläinen", "2022-09-01", 150),
            child("C-2", "Eero Meikäläinen", "2020-09-01", 150),
        ],
    }
    data.update(copy.deepcopy(changes))
    return data


def child(child_id: str, name: str, birth_date: str, hours: int) -> dict[str, Any]:
    return {
        "id": child_id,
        "name": name,
        "birth_date": birth_date,
        "placement": {"unit": "Päiväkoti Satakieli", "kind": "daycare", "start": "2024-08-01"},
        "service_need": {"hours_per_month": hours},
    }


def swedish_family(family_id: str = "F-2") -> dict[str, Any]:
    return family(
        family_id,
        language="sv",
        size=2,
        guardians=[
            {
                "name": "Sven Svensson",
                "identity_code": SVEN,
                "address": {"street": "Strandvägen 3", "postal_code": "10600", "city": "Ekenäs"},
            }
        ],
        incomes=[{"person": "Sven Svensson", "amount": 480000, "source": "löneintyg"}],
        children=[child("C-9", "Saga Svensson", "2021-03-15", 100)],
    )


def write_families(path: Path, *families: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in families))
    return path


def configure(municipality: Any, actor: Any = "test set-up") -> None:
    save_robot_settings(
        actor,
        municipality,
        EcecFeeRobot,
        example_settings(municipality.name_fi),
        valid_from=SETTINGS_FROM,
        via="test",
    )
