"""A Robot Framework robot: archives processed export files (class A, assists)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from kuntarobo.sdk import (
    Parameter,
    PathDescription,
    PathStep,
    RobotClass,
    Schedule,
    Text,
    register,
)
from kuntarobo.sdk.robotframework import RobotFrameworkRobot


@register
class FileArchiverRobot(RobotFrameworkRobot):
    slug = "file_archiver"
    suite = Path(__file__).with_name("archive.robot")
    name = Text(fi="Tiedostojen arkistointi", sv="Arkivering av filer", en="File archiver")
    description = Text(
        fi="Siirtää käsitellyt siirtotiedostot saapuvien kansiosta päivättyyn arkistokansioon "
        "ja kirjaa luettelon. Robot Framework -tehtäväsarja.",
        sv="Flyttar behandlade överföringsfiler från inkorgen till en daterad arkivmapp och "
        "för en förteckning. En Robot Framework-uppgiftssvit.",
        en="Moves processed export files from the inbox to a dated archive folder and keeps a "
        "manifest. A Robot Framework task suite.",
    )
    robot_class = RobotClass.ASSISTS
    systems = (Text(fi="verkkolevy", sv="nätverksenhet", en="file share"),)
    manual_minutes_per_item = Decimal("10")
    schedule = Schedule(
        cron="30 18 * * *",
        calendar="working_days",
        description=Text(
            fi="Arkipäivisin klo 18.30", sv="Vardagar kl. 18.30", en="Working days at 18:30"
        ),
    )
    parameters = (
        Parameter(
            "inbox_folder",
            Text(fi="Saapuvien kansio", sv="Inkorg", en="Inbox folder"),
            kind="folder",
            required=True,
        ),
        Parameter(
            "archive_folder",
            Text(fi="Arkistokansio", sv="Arkivmapp", en="Archive folder"),
            kind="folder",
            required=True,
        ),
        Parameter(
            "pattern",
            Text(fi="Tiedostojen kuvio", sv="Filmönster", en="File pattern"),
            default="*.csv",
        ),
    )
    path = PathDescription(
        summary=Text(
            fi="Käsitellyt tiedostot siirretään arkistoon päivän kansioon.",
            sv="Behandlade filer flyttas till dagens arkivmapp.",
            en="Processed files are moved to the day's archive folder.",
        ),
        steps=(
            PathStep(
                Text(
                    fi="Listaa saapuneet tiedostot",
                    sv="Lista inkomna filer",
                    en="List incoming files",
                ),
                "robot",
                Text(fi="verkkolevy", sv="nätverksenhet", en="file share"),
            ),
            PathStep(
                Text(
                    fi="Siirrä arkistoon ja kirjaa luetteloon",
                    sv="Flytta till arkivet och för förteckning",
                    en="Move to the archive and write the manifest",
                ),
                "robot",
                Text(fi="verkkolevy", sv="nätverksenhet", en="file share"),
            ),
        ),
        business_exceptions=(
            Text(fi="Kansiota ei ole", sv="Mappen finns inte", en="A folder is missing"),
        ),
        technical_exceptions=(
            Text(
                fi="Levy täynnä tai ei oikeuksia",
                sv="Disken full eller behörighet saknas",
                en="Disk full or no permission",
            ),
        ),
        human_role=Text(
            fi="Ei tehtäviä; poikkeukset tarkastetaan.",
            sv="Inga uppgifter; undantag granskas.",
            en="None; exceptions are checked.",
        ),
    )
