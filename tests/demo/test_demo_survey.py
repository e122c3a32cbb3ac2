"""The demo's phone survey (issue 18, "A demo campaign in the demo municipality with its
dashboard and report"): a campaign played to its end in simulated time, whose report and
council PDF show its figures, and one that, once started, the demo's worker calls today with
simulated calls."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kuntarobo.core import aapor
from kuntarobo.core.call_windows import is_open, parse_schedule
from kuntarobo.demo.data import load_demo
from kuntarobo.demo.survey_examples import ENDED_NAME, LIVE_NAME
from kuntarobo.robots.phone_survey import actions
from kuntarobo.robots.phone_survey.models import Attempt, Campaign, CampaignStatus
from kuntarobo.runtime.models import ItemStatus, Run, WorkItem
from tests.runtime.helpers import drain


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.mark.django_db(transaction=True)
def test_the_demo_campaign_ends_with_every_number_coded_and_its_report_shows_the_rates():
    load_demo()
    ended = Campaign.objects.get(name=ENDED_NAME)
    assert ended.status == CampaignStatus.ENDED
    finals = list(ended.respondents.values_list("final_code", flat=True))
    assert len(finals) == 300
    assert all(finals)
    counts = aapor.Counts.from_final_codes(finals)
    rr1 = aapor.rates(counts)["RR1"]
    assert counts.I > 0
    assert rr1 is not None
    viewer = signed_in("katselija")
    page = viewer.get(reverse("phone_survey:report", args=[ended.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for rate in ("RR1", "RR6", "COOP1", "REF1", "CON1"):
        assert rate in html
    pdf = viewer.get(reverse("phone_survey:report_pdf", args=[ended.pk]) + "?language=sv")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "RR1" in text

    load_demo()  # a second load adds nothing
    assert Campaign.objects.filter(name=ENDED_NAME).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_demos_second_campaign_once_started_is_called_by_the_worker_in_its_windows():
    load_demo()
    live = Campaign.objects.get(name=LIVE_NAME)
    assert live.status == CampaignStatus.DRAFT
    assert not Run.objects.exists()  # loading the demo starts nothing by itself
    actions.start_campaign(live, actor=get_user_model().objects.get(username="koordinaattori"))
    live.refresh_from_db()
    assert live.run is not None
    drain()
    items = WorkItem.objects.filter(run=live.run)
    assert items.count() == 40
    assert set(items.values_list("status", flat=True)) <= {ItemStatus.WAITING, ItemStatus.DONE}
    calls = Attempt.objects.filter(respondent__campaign=live).count()
    if is_open(parse_schedule(live.schedule), timezone.now()):
        assert calls > 0
    else:  # a blocked day or outside 9-21: every number waits for the window
        assert calls == 0
        assert items.filter(status=ItemStatus.WAITING).count() == 40
