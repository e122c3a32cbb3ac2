"""The fee decisions for the staff: every decision with its status and PDF, and the print
batches with the button that makes the next one. Reading is for those who may see personal
data (each page view is audited); making a batch is for reviewers, through the same action the
CLI uses."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kuntarobo.robots.ecec_fees import actions as fee_actions
from kuntarobo.robots.ecec_fees.models import Channel, FeeDecision, FeeParameterRow
from kuntarobo.robots.ecec_fees.municipal_settings import SLUG
from kuntarobo.sdk import InputError, channels
from kuntarobo.sdk.audit import record
from kuntarobo.sdk.decisions import DecisionStatus
from kuntarobo.sdk.permissions import Permission, PermissionDeniedError, has_permission
from kuntarobo.sdk.web import (
    download,
    file_missing,
    get_scoped_or_404,
    municipality_or_404,
    open_stored,
    paginate,
    require_somewhere,
)

PAGE_SIZE = 50


# The decisions page's permission; the robot's page links it only for those who hold it.
DECISIONS_PERMISSION = Permission.VIEW_PERSONAL_DATA


@login_required
@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    municipalities = require_somewhere(request.user, DECISIONS_PERMISSION)
    shown = FeeDecision.objects.for_user(
        request.user, Permission.VIEW_PERSONAL_DATA
    ).select_related("municipality")
    status = request.GET.get("status", "")
    if status in DecisionStatus.values:
        shown = shown.filter(status=status)
    query = request.GET.get("q", "").strip()[:64]
    if query:
        shown = shown.filter(Q(family_id__iexact=query) | Q(decision_number__iexact=query))
    page = paginate(request, shown.order_by("-created_at", "-pk"), PAGE_SIZE)
    listed = list(page.object_list)
    for municipality in {decision.municipality for decision in listed}:
        record(
            "ecec_fees.decisions.view",
            actor=request.user,
            municipality=municipality,
            via="web",
            details={
                "decisions": [d.decision_number for d in listed if d.municipality == municipality]
            },
        )
    _with_letters(listed)
    waiting = channels.Delivery.objects.filter(
        robot_slug=SLUG,
        channel="print",
        status=channels.DeliveryStatus.QUEUED,
        print_batch__isnull=True,
    )
    reviewing = [m for m in municipalities if has_permission(request.user, m, Permission.REVIEW)]
    context = {
        # Rows of the demo's example figures: the decisions computed with them are marked.
        "example_dates": set(
            FeeParameterRow.objects.filter(example_figures=True).values_list(
                "valid_from", flat=True
            )
        ),
        "page": page,
        "status": status,
        "query": query,
        "statuses": DecisionStatus.choices,
        "batches": channels.PrintBatch.objects.for_user(request.user, Permission.REVIEW)
        .filter(robot_slug=SLUG)
        .select_related("municipality")
        .order_by("-created_at")[:20],
        "waiting": {m: waiting.filter(municipality=m).count() for m in reviewing},
    }
    return render(request, "ecec_fees/decisions.html", context)


def _with_letters(listed: list[FeeDecision]) -> None:
    """Each decision's printed letters (its own and a guardian's copy: their Delivery records)
    and its status as the staff read it: a letter not yet posted is "awaiting printing"."""
    references = [d.decision_number for d in listed] + [f"{d.decision_number}-2" for d in listed]
    letters: dict[tuple[int, str], channels.Delivery] = {
        (letter.municipality_id, letter.reference): letter
        for letter in channels.Delivery.objects.filter(
            robot_slug=SLUG, channel="print", reference__in=references
        )
    }
    for decision in listed:
        own = letters.get((decision.municipality_id, decision.decision_number))
        copy = letters.get((decision.municipality_id, f"{decision.decision_number}-2"))
        decision.letter = own  # type: ignore[attr-defined]
        decision.copy_letter = copy  # type: ignore[attr-defined]
        awaiting = decision.status == DecisionStatus.APPROVED and decision.channel == Channel.PRINT
        decision.status_label = (  # type: ignore[attr-defined]
            _("awaiting printing") if awaiting else decision.get_status_display()
        )


def _decision_for(request: HttpRequest, pk: int) -> FeeDecision:
    return get_scoped_or_404(
        FeeDecision.objects.select_related("municipality"),
        request.user,
        pk,
        Permission.VIEW_PERSONAL_DATA,
    )


def _audited_download(
    request: HttpRequest, decision: FeeDecision, document: FieldFile, name: str
) -> HttpResponseBase:
    """Every download of a decision's letter is in the audit trail, the copies' too; a letter
    missing from the file store is a "file missing" page (nothing downloaded, nothing audited)."""
    handle = open_stored(document)
    if handle is None:
        return file_missing(request)
    details = {"decision_number": decision.decision_number}
    if name != decision.decision_number:
        details["copy"] = name
    record(
        "ecec_fees.decision.download",
        actor=request.user,
        municipality=decision.municipality,
        obj=decision,
        via="web",
        details=details,
    )
    return download(request, handle, filename=f"{name}.pdf", content_type="application/pdf")


@login_required
@require_GET
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    decision = _decision_for(request, pk)
    if not decision.document:
        raise Http404(_("The decision has not been sent yet: its draft is on the work item."))
    return _audited_download(request, decision, decision.document, decision.decision_number)


@login_required
@require_GET
def copy_pdf(request: HttpRequest, pk: int, guardian: int) -> HttpResponseBase:
    """A second guardian's printed copy, as it went (or goes) to the print room."""
    decision = _decision_for(request, pk)
    name = f"{decision.decision_number}-{guardian}"
    copy = channels.Delivery.objects.filter(
        municipality=decision.municipality, robot_slug=SLUG, channel="print", reference=name
    ).first()
    if copy is None or guardian < 2:
        raise Http404(_("This decision has no such copy."))
    return _audited_download(request, decision, copy.document, name)


@login_required
@require_POST
def make_print_batch(request: HttpRequest) -> HttpResponse:
    municipality = municipality_or_404(
        request.user, request.POST.get("municipality", ""), Permission.REVIEW
    )
    try:
        batch = fee_actions.make_print_batch(request.user, municipality, via="web")
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        messages.error(request, str(error))
        return redirect("ecec_fees_staff:decisions")
    if batch is None:
        messages.info(request, _("No letters are waiting to be printed."))
    else:
        pages = ngettext("%(pages)d page", "%(pages)d pages", batch.pages) % {"pages": batch.pages}
        messages.success(
            request,
            ngettext(
                "Print batch made: %(count)d letter, %(pages)s.",
                "Print batch made: %(count)d letters, %(pages)s.",
                batch.letters,
            )
            % {"count": batch.letters, "pages": pages},
        )
    return redirect("ecec_fees_staff:decisions")


@login_required
@require_POST
def mark_posted(request: HttpRequest, pk: int) -> HttpResponse:
    """The print service posted the batch on the date given: the decisions are notified."""
    batch = get_scoped_or_404(
        channels.PrintBatch.objects.filter(robot_slug=SLUG).select_related("municipality"),
        request.user,
        pk,
        Permission.REVIEW,
    )
    try:
        posted_on = datetime.date.fromisoformat(request.POST.get("posted_on", ""))
    except ValueError:
        messages.error(request, _("Give the posting date as a date."))
        return redirect("ecec_fees_staff:decisions")
    try:
        fee_actions.mark_posted(request.user, batch.municipality, batch.pk, posted_on, via="web")
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        messages.error(request, str(error))
        return redirect("ecec_fees_staff:decisions")
    messages.success(
        request,
        _("Print batch %(number)s marked posted on %(date)s.")
        % {"number": batch.pk, "date": posted_on.strftime("%-d.%-m.%Y")},
    )
    return redirect("ecec_fees_staff:decisions")


@login_required
@require_GET
def print_batch_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = get_scoped_or_404(
        channels.PrintBatch.objects.filter(robot_slug=SLUG).select_related("municipality"),
        request.user,
        pk,
        Permission.REVIEW,
    )
    handle = open_stored(batch.file)
    if handle is None:
        return file_missing(request)
    record(
        "ecec_fees.print_batch.download",
        actor=request.user,
        municipality=batch.municipality,
        obj=batch,
        via="web",
        details={"letters": batch.letters},
    )
    return download(
        request, handle, filename=f"print-batch-{batch.pk}.pdf", content_type="application/pdf"
    )
