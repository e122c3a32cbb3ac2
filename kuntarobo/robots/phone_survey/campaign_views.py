"""The campaign staff pages: campaigns and their settings, the respondents import, start and end,
and the municipality's do-not-call list.

Least privilege: seeing campaigns and counts needs only `view`; phone numbers in full need
`view_personal_data` (others see them masked); changing a campaign, importing respondents and
the do-not-call list need `configure`; starting and ending calls need `run`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kuntarobo.core.respondents import mask_phone
from kuntarobo.robots.phone_survey import actions, history, notice
from kuntarobo.robots.phone_survey.campaign_forms import (
    WEEKDAYS,
    CampaignForm,
    DoNotCallForm,
    RespondentsUploadForm,
    initial_for,
)
from kuntarobo.robots.phone_survey.campaign_import import (
    MAX_FILE_BYTES,
    ImportReport,
    import_respondents,
)
from kuntarobo.robots.phone_survey.models import (
    Campaign,
    CampaignStatus,
    DoNotCallEntry,
    Respondent,
)
from kuntarobo.sdk import InputError
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.permissions import Permission, PermissionDeniedError, has_permission
from kuntarobo.sdk.web import get_scoped_or_404, municipality_or_404, paginate, require_somewhere

LIST_PERMISSION = Permission.VIEW
MANAGE_PERMISSION = Permission.CONFIGURE
RUN_PERMISSION = Permission.RUN
NUMBERS_PERMISSION = Permission.VIEW_PERSONAL_DATA
PAGE_SIZE = 50


def campaign_or_404(request: HttpRequest, pk: int, permission: str = Permission.VIEW) -> Campaign:
    """The campaign if the user holds `permission` in its municipality, else 404."""
    return get_scoped_or_404(
        Campaign.objects.select_related("municipality", "questionnaire"),
        request.user,
        pk,
        permission,
    )


def _on_do_not_call(campaign: Campaign) -> int:
    listed = DoNotCallEntry.objects.filter(
        municipality_id=campaign.municipality_id, phone=OuterRef("phone")
    )
    return Respondent.objects.filter(campaign=campaign).filter(Exists(listed)).count()


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    municipalities = require_somewhere(request.user, LIST_PERMISSION)
    campaigns = (
        Campaign.objects.for_user(request.user, LIST_PERMISSION)
        .select_related("municipality", "questionnaire")
        .annotate(
            respondent_count=Count("respondents"),
            final_count=Count("respondents", filter=~Q(respondents__final_code="")),
        )
        .order_by("-created_at", "-pk")
    )
    chosen = request.GET.get("municipality", "")
    if chosen:
        campaigns = campaigns.filter(municipality__slug=chosen)
    page = paginate(request, campaigns, PAGE_SIZE)
    context = {
        "page": page,
        "chosen": chosen,
        "managed": [
            m for m in municipalities if has_permission(request.user, m, MANAGE_PERMISSION)
        ],
        "municipalities": list(municipalities),
    }
    return render(request, "phone_survey/campaign_list.html", context)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk)
    user = request.user
    may_run = has_permission(user, campaign.municipality, RUN_PERMISSION)
    status = CampaignStatus(campaign.status)
    context = {
        "campaign": campaign,
        "respondents": Respondent.objects.filter(campaign=campaign).count(),
        "finals": Respondent.objects.filter(campaign=campaign).exclude(final_code="").count(),
        "on_do_not_call": _on_do_not_call(campaign),
        "weekday_names": _weekday_names(campaign),
        "may_manage": has_permission(user, campaign.municipality, MANAGE_PERMISSION),
        "is_draft": status == CampaignStatus.DRAFT,
        "may_start": may_run and status.can_move_to(CampaignStatus.RUNNING),
        "may_end": may_run and status.can_move_to(CampaignStatus.ENDED),
        "start_by": notice.start_by_text(campaign) if status == CampaignStatus.DRAFT else None,
    }
    return render(request, "phone_survey/campaign_detail.html", context)


def _weekday_names(campaign: Campaign) -> list[str]:
    names = dict(WEEKDAYS)
    return [str(names[str(day)]) for day in (campaign.schedule or {}).get("weekdays", [])]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_create(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality, MANAGE_PERMISSION)
    if request.method == "POST":
        form = CampaignForm(request.POST, municipality=place)
        if form.is_valid():
            campaign = form.apply(Campaign())
            campaign.status = CampaignStatus.DRAFT
            campaign.save()
            record(
                "phone_survey.campaign_created",
                actor=request.user,
                municipality=place,
                obj=campaign,
                via="web",
                details={"name": campaign.name},
            )
            messages.success(request, _("The campaign is saved as a draft."))
            return redirect("phone_survey:campaign_detail", pk=campaign.pk)
    else:
        form = CampaignForm(municipality=place)
    return render(
        request,
        "phone_survey/campaign_form.html",
        {"form": form, "municipality": place, "campaign": None},
    )


def _refused(request: HttpRequest, campaign: Campaign, text: str) -> HttpResponse:
    return render(
        request,
        "phone_survey/campaign_refused.html",
        {"campaign": campaign, "reason": text},
        status=409,
    )


NOT_DRAFT = gettext_lazy(
    "The campaign is %(status)s: its settings and respondents are kept as they were when it "
    "started. Make a new campaign to change them."
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk, MANAGE_PERMISSION)
    if campaign.status != CampaignStatus.DRAFT:
        return _refused(
            request, campaign, str(NOT_DRAFT) % {"status": campaign.get_status_display()}
        )
    if request.method == "POST":
        form = CampaignForm(
            request.POST, initial=initial_for(campaign), municipality=campaign.municipality
        )
        if form.is_valid():
            updated = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.DRAFT)
            form.apply(campaign)
            changed = updated.update(
                **{
                    name: getattr(campaign, name)
                    for name in (
                        "name",
                        "dialler",
                        "schedule",
                        "max_attempts",
                        "lines",
                        "price_per_minute_cents",
                        "target_completes",
                        "quotas",
                        "caller_id",
                        "notice_text",
                        "sms_notice",
                        "notice_days_before",
                        "offer_web",
                    )
                },
                questionnaire=campaign.questionnaire,
            )
            if not changed:  # started meanwhile
                campaign.refresh_from_db()
                return _refused(
                    request, campaign, str(NOT_DRAFT) % {"status": campaign.get_status_display()}
                )
            record(
                "phone_survey.campaign_changed",
                actor=request.user,
                municipality=campaign.municipality,
                obj=campaign,
                via="web",
                details={"fields": sorted(form.changed_data)},
            )
            messages.success(request, _("The campaign's settings are saved."))
            return redirect("phone_survey:campaign_detail", pk=campaign.pk)
    else:
        form = CampaignForm(initial=initial_for(campaign), municipality=campaign.municipality)
    return render(
        request,
        "phone_survey/campaign_form.html",
        {"form": form, "municipality": campaign.municipality, "campaign": campaign},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def respondents_import(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk, MANAGE_PERMISSION)
    if campaign.status != CampaignStatus.DRAFT:
        return _refused(
            request, campaign, str(NOT_DRAFT) % {"status": campaign.get_status_display()}
        )
    report: ImportReport | None = None
    status = 200
    if request.method == "POST":
        form = RespondentsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_respondents(
                    campaign,
                    upload.name or "",
                    upload.read(MAX_FILE_BYTES + 1),  # a larger file is refused unread
                    actor=request.user,
                    replace=form.cleaned_data["replace"],
                )
            except InputError as error:
                problems = getattr(error, "problems", None)
                form.add_error("file", problems if problems else str(error))
                status = 400
        else:
            status = 400
    else:
        form = RespondentsUploadForm()
    context = {
        "campaign": campaign,
        "form": form,
        "report": report,
        "respondents": Respondent.objects.filter(campaign=campaign).count(),
    }
    return render(request, "phone_survey/campaign_import.html", context, status=status)


@login_required
@require_POST
def campaign_start(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk, RUN_PERMISSION)
    if not CampaignStatus(campaign.status).can_move_to(CampaignStatus.RUNNING):
        return _refused(request, campaign, _("Only a draft campaign can be started."))
    if not Respondent.objects.filter(campaign=campaign).exists():
        return _refused(request, campaign, _("Import the respondents before starting the calls."))
    try:
        actions.start_campaign(campaign, actor=request.user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        return _refused(request, campaign, str(error))
    messages.success(request, _("The campaign is started: calls begin in the call windows."))
    return redirect("phone_survey:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Play a draft campaign with simulated calls to its end in simulated time (planning)."""
    campaign = campaign_or_404(request, pk, RUN_PERMISSION)
    try:
        history.play_in_simulated_time(campaign, actor=request.user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        return _refused(request, campaign, str(error))
    messages.success(
        request, _("The campaign was played in simulated time: its report shows the outcome.")
    )
    return redirect("phone_survey:report", pk=campaign.pk)


@login_required
@require_POST
def campaign_end(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request, pk, RUN_PERMISSION)
    if not CampaignStatus(campaign.status).can_move_to(CampaignStatus.ENDED):
        return _refused(request, campaign, _("Only a running campaign can be ended."))
    try:
        actions.end_campaign(campaign, actor=request.user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        return _refused(request, campaign, str(error))
    messages.success(request, _("The campaign is ended: every number has its final code."))
    return redirect("phone_survey:campaign_detail", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def do_not_call(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality, LIST_PERMISSION)
    may_manage = has_permission(request.user, place, MANAGE_PERMISSION)
    full_numbers = has_permission(request.user, place, NUMBERS_PERMISSION)
    form = DoNotCallForm()
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = DoNotCallForm(request.POST)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            if actions.add_do_not_call(place, phone, source="staff", actor=request.user):
                messages.success(
                    request,
                    _("%(number)s is on the do-not-call list: it is never called.")
                    % {"number": mask_phone(phone)},
                )
            else:
                messages.info(
                    request,
                    _("%(number)s was already on the do-not-call list.")
                    % {"number": mask_phone(phone)},
                )
            return redirect("phone_survey:do_not_call", municipality=place.slug)
    entries = DoNotCallEntry.objects.for_user(request.user, LIST_PERMISSION).filter(
        municipality=place
    )
    page = paginate(request, entries.order_by("-added_at", "-pk"), PAGE_SIZE)
    rows: list[dict[str, Any]] = [
        {
            "pk": entry.pk,
            "phone": entry.phone if full_numbers else mask_phone(entry.phone),
            "source": entry.source,
            "added_at": entry.added_at,
        }
        for entry in page.object_list
    ]
    if full_numbers and rows:
        record(
            "phone_survey.do_not_call_viewed",
            actor=request.user,
            municipality=place,
            via="web",
            details={"numbers_shown": len(rows)},
        )
    context = {
        "municipality": place,
        "page": page,
        "rows": rows,
        "form": form if may_manage else None,
        "may_manage": may_manage,
        "full_numbers": full_numbers,
        "count": entries.count(),
    }
    return render(request, "phone_survey/campaign_do_not_call.html", context)


@login_required
@require_POST
def do_not_call_remove(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    place = municipality_or_404(request.user, municipality, MANAGE_PERMISSION)
    entry = (
        DoNotCallEntry.objects.for_user(request.user, MANAGE_PERMISSION)
        .filter(municipality=place, pk=pk)
        .first()
    )
    if entry is not None:
        actions.remove_do_not_call(place, entry.phone, actor=request.user)
        messages.success(
            request,
            _("%(number)s is no longer on the do-not-call list.")
            % {"number": mask_phone(entry.phone)},
        )
    return redirect("phone_survey:do_not_call", municipality=place.slug)
