"""Work items: the item page, its documents, the review inbox and the review actions.

Every change goes through `kuntarobo.runtime.actions`; these views only collect the input and
report the outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kuntarobo.accounts.models import Permission, has_permission
from kuntarobo.audit.models import AuditEvent
from kuntarobo.runtime import actions
from kuntarobo.runtime.declarations import InputError, Robot
from kuntarobo.runtime.models import ItemAction, ItemStatus, WorkItem
from kuntarobo.runtime.personal_data import record_item_shown, record_shown, sight_for
from kuntarobo.runtime.statuses import PERSON_ACTIONS
from kuntarobo.runtime.visibility import ItemView
from kuntarobo.web.forms import CorrectionForm, ReasonForm
from kuntarobo.web.scoping import get_scoped_or_404, require_somewhere, review_queue
from kuntarobo.web.stored_files import download, file_missing, open_stored
from kuntarobo.web.views.common import paginate, robot_or_none, safe_next

REVIEW_ACTIONS = tuple(f"item.{action}" for action in PERSON_ACTIONS)
FAILED = (ItemStatus.FAILED_BUSINESS, ItemStatus.FAILED_APPLICATION)
INBOX_PAGE_SIZE = 25
TABS = {
    "review": (ItemStatus.NEEDS_REVIEW,),
    "failed": FAILED,
    "waiting": (ItemStatus.WAITING,),
}


def _items() -> Any:
    return WorkItem.objects.select_related("municipality", "run")


def review_history(item: WorkItem) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=WorkItem._meta.label_lower,
            object_id=str(item.pk),
            action__in=REVIEW_ACTIONS,
        ).order_by("at", "id")
    )


@dataclass
class ItemActions:
    """The review forms of one item; ids are prefixed so many items fit on one page."""

    item: WorkItem
    view: ItemView
    robot: type[Robot] | None
    reject_form: ReasonForm
    abandon_form: ReasonForm
    correct_form: CorrectionForm | None

    @classmethod
    def for_item(cls, item: WorkItem, view: ItemView) -> ItemActions:
        robot = robot_or_none(item.robot_slug)
        auto_id = f"item{item.pk}-%s"
        correct_form = None
        if robot is not None and robot.correctable_fields:
            correct_form = CorrectionForm(robot=robot, output=item.output, auto_id=auto_id)
        return cls(
            item=item,
            view=view,
            robot=robot,
            reject_form=ReasonForm(auto_id=f"item{item.pk}-reject-%s"),
            abandon_form=ReasonForm(auto_id=f"item{item.pk}-abandon-%s"),
            correct_form=correct_form,
        )

    def can(self, action: str) -> bool:
        """The button of `action` is shown exactly when the action would accept it
        (`actions.refusal`: the status table, a worker's claim, correctable fields)."""
        return actions.refusal(self.item, action) is None

    @property
    def can_approve(self) -> bool:
        return self.can(ItemAction.APPROVE)

    @property
    def can_correct(self) -> bool:
        return self.correct_form is not None and self.can(ItemAction.CORRECT)

    @property
    def can_retry(self) -> bool:
        return self.can(ItemAction.RETRY)

    @property
    def can_reject(self) -> bool:
        return self.can(ItemAction.REJECT)

    @property
    def can_abandon(self) -> bool:
        return self.can(ItemAction.ABANDON)

    @property
    def can_resume(self) -> bool:
        return self.can(ItemAction.RESUME)

    @property
    def any(self) -> bool:
        return any(
            (
                self.can_approve,
                self.can_correct,
                self.can_retry,
                self.can_reject,
                self.can_abandon,
                self.can_resume,
            )
        )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(_items(), request.user, pk)
    view = sight_for(request.user).item(item, full=True)
    record_item_shown(request.user, view, via="web")
    can_review = has_permission(request.user, item.municipality, Permission.REVIEW)
    # Opened by its reviewer: counts for the random sample of a bulk approval.
    sample_opened = can_review and actions.record_sample_opening(request.user, item, via="web")
    context = {
        "item": item,
        "view": view,
        "robot": robot_or_none(item.robot_slug),
        "documents": list(item.documents.order_by("id")) if view.shows_documents else [],
        "history": review_history(item),
        "actions": ItemActions.for_item(item, view) if can_review else None,
        "sample_opened": sample_opened,
        # The failed items a corrected input made this one replace.
        "replaces": list(
            WorkItem.objects.filter(superseded_by=item).order_by("pk").values_list("pk", flat=True)
        ),
        # Internal keys (fingerprints, row ids) and raw JSON: administrators only.
        "shows_raw_data": view.personal
        and has_permission(request.user, item.municipality, Permission.MANAGE_USERS),
    }
    return render(request, "web/item_detail.html", context)


@login_required
def item_document(request: HttpRequest, pk: int, document: int) -> HttpResponseBase:
    item = get_scoped_or_404(_items(), request.user, pk, Permission.VIEW_PERSONAL_DATA)
    stored = get_object_or_404(item.documents, pk=document)
    handle = open_stored(stored.file)
    if handle is None:
        return file_missing(request)
    actions.record_personal_data_view(request.user, item, via="web")
    return download(
        request,
        handle,
        filename=stored.name,
        content_type=stored.content_type or "application/octet-stream",
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require_somewhere(request.user, Permission.REVIEW)
    tab = request.GET.get("tab", "review")
    if tab not in TABS:
        tab = "review"
    plain = tab == "review" and request.GET.get("plain") == "1"
    scoped = WorkItem.objects.for_user(request.user, Permission.REVIEW)
    counts = {name: scoped.filter(status__in=statuses).count() for name, statuses in TABS.items()}
    counts["review"] = review_queue(request.user).count()
    items = review_queue(request.user) if tab == "review" else scoped.filter(status__in=TABS[tab])
    ordinary = items.filter(attention=[]) if tab == "review" else items.none()
    if plain:
        items = ordinary
    items = items.select_related("municipality", "run").order_by(
        F("deadline").asc(nulls_last=True), "-priority", "id"
    )
    page = paginate(request, items, INBOX_PAGE_SIZE)
    views = sight_for(request.user).items(page.object_list, full=True)
    record_shown(request.user, views, via="web")
    last = ordinary.order_by("-id").values_list("id", flat=True).first()
    # The random sample to open before approving all of them (class B robots), drawn once.
    sample = actions.unflagged_sample(request.user, up_to=last, via="web") if plain and last else []
    sight = sight_for(request.user)
    sample_rows = [
        (
            group,
            [
                (view, cast(WorkItem, view.item).pk in group.opened)
                for view in sight.items(group.items, full=True)
            ],
        )
        for group in sample
    ]
    context = {
        "sample": sample_rows,
        "sample_unopened": sum(len(group.unopened) for group in sample),
        "tab": tab,
        "plain": plain,
        "counts": counts,
        "ordinary_count": ordinary.count(),
        "ordinary_up_to": last or 0,
        "page": page,
        "entries": [ItemActions.for_item(cast(WorkItem, view.item), view) for view in views],
    }
    return render(request, "web/inbox.html", context)


def report(request: HttpRequest, result: actions.ReviewResult, done: Callable[[int], str]) -> None:
    """Tell the user what happened; refused items are named only if the user may see them."""
    if result.done:
        messages.success(request, done(len(result.done)))
    if result.refused:
        visible = WorkItem.objects.for_user(request.user).filter(pk__in=list(result.refused))
        # Named as in a list: identity codes masked, whatever the user's roles elsewhere.
        views = sight_for(request.user).items(visible)
        references = ", ".join(sorted(view.reference for view in views))
        count = len(result.refused)
        text = ngettext(
            "%(count)d item was not changed: it is no longer waiting for this action.",
            "%(count)d items were not changed: they are no longer waiting for this action.",
            count,
        ) % {"count": count}
        # Why, item by item: the reasons name items by id and status, in the user's language.
        reasons = "; ".join(result.refused[pk] for pk in sorted(result.refused)[:10])
        messages.warning(request, " ".join(part for part in (text, references, reasons) if part))


def _return_to(request: HttpRequest) -> str:
    return safe_next(request, reverse("inbox"))


def _run(
    request: HttpRequest,
    call: Callable[[], actions.ReviewResult],
    done: Callable[[int], str],
    form: Any = None,
    capture: actions.ReviewResult | None = None,
) -> bool:
    """Call an action; False (and the reason shown) when it refused the input as a whole.
    `capture` receives the result."""
    try:
        result = call()
        if capture is not None:
            capture.merge(result)
    except actions.PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        text = _("Nothing was changed: %(reason)s") % {"reason": error}
        if form is not None:
            # At the field the refusal names (a correction the robot's rules refuse), if any.
            at = form.field_of(error) if hasattr(form, "field_of") else None
            form.add_error(at, text)
        else:
            messages.error(request, text)
        return False
    report(request, result, done)
    return True


@login_required
@require_POST
def inbox_approve(request: HttpRequest) -> HttpResponse:
    """Bulk approval of the items ticked in the inbox."""
    require_somewhere(request.user, Permission.REVIEW)
    ids = [value for value in request.POST.getlist("items") if value.isdigit()]
    if not ids:
        messages.error(request, _("Choose at least one item to approve."))
        return redirect(_return_to(request))
    _run(
        request,
        lambda: actions.approve_items(request.user, [int(i) for i in ids], via="web"),
        lambda n: (
            ngettext("%(count)d item approved.", "%(count)d items approved.", n) % {"count": n}
        ),
    )
    return redirect(_return_to(request))


@login_required
@require_POST
def inbox_approve_ordinary(request: HttpRequest) -> HttpResponse:
    """Approve every proposal the robot did not flag, in one go (`actions.approve_unflagged`):
    only those up to the id the page showed, so nothing that arrived since is approved
    unseen."""
    require_somewhere(request.user, Permission.REVIEW)
    up_to = request.POST.get("up_to", "")
    if not up_to.isdigit() or int(up_to) < 1:
        messages.error(request, _("Nothing was changed: reload the page and try again."))
        return redirect(_return_to(request))
    result = actions.ReviewResult()
    done = _run(
        request,
        lambda: actions.approve_unflagged(request.user, up_to=int(up_to), via="web"),
        lambda n: (
            ngettext("%(count)d item approved.", "%(count)d items approved.", n) % {"count": n}
        ),
        capture=result,
    )
    if done and not (result.done or result.refused):
        messages.error(request, _("No proposals without flags are waiting for review."))
    return redirect(_return_to(request))


@login_required
@require_POST
def item_approve(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(_items(), request.user, pk, Permission.REVIEW)
    _run(
        request,
        lambda: actions.approve_items(request.user, [item.pk], via="web"),
        lambda n: _("Item %(reference)s approved.") % {"reference": item.reference},
    )
    return redirect(_return_to(request))


@login_required
@require_POST
def item_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(_items(), request.user, pk, Permission.REVIEW)
    _run(
        request,
        lambda: actions.retry_items(request.user, [item.pk], via="web"),
        lambda n: (
            _("Item %(reference)s was sent back to the robot.") % {"reference": item.reference}
        ),
    )
    return redirect(_return_to(request))


@login_required
@require_POST
def item_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer records that what the item waited for has come (a call answered by other
    means, a reply received on paper): the robot takes the item again now."""
    item = get_scoped_or_404(_items(), request.user, pk, Permission.REVIEW)
    _run(
        request,
        lambda: actions.resume_items(request.user, [item.pk], via="web"),
        lambda n: (
            _("Item %(reference)s was sent back to the robot.") % {"reference": item.reference}
        ),
    )
    return redirect(_return_to(request))


def _reason_action(
    request: HttpRequest,
    pk: int,
    *,
    call: Callable[..., actions.ReviewResult],
    title: str,
    button: str,
    done: str,
) -> HttpResponse:
    item = get_scoped_or_404(_items(), request.user, pk, Permission.REVIEW)
    auto_id = "id_%s"
    if request.method == "POST":
        form = ReasonForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            if _run(
                request,
                lambda: call(request.user, [item.pk], reason=reason, via="web"),
                lambda n: done % {"reference": item.reference},
                form,
            ):
                return redirect(_return_to(request))
        status = 400
    else:
        form = ReasonForm(auto_id=auto_id)
        status = 200
    context = {
        "item": item,
        "form": form,
        "title": title,
        "button": button,
        "next": _return_to(request),
    }
    return render(request, "web/item_action.html", context, status=status)


@login_required
def item_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_action(
        request,
        pk,
        call=actions.reject_items,
        title=_("Reject item"),
        button=_("Reject"),
        done=_("Item %(reference)s rejected."),
    )


@login_required
def item_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_action(
        request,
        pk,
        call=actions.abandon_items,
        title=_("Remove item from processing"),
        button=_("Remove from processing"),
        done=_("Item %(reference)s removed from processing."),
    )


@login_required
def item_correct(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(_items(), request.user, pk, Permission.REVIEW)
    robot = robot_or_none(item.robot_slug)
    if robot is None or not robot.correctable_fields:
        raise Http404(_("Not found."))
    if request.method == "POST":
        form = CorrectionForm(request.POST, robot=robot, output=item.output)
        if form.is_valid():
            corrections = form.cleaned_data["corrections"]
            note = form.cleaned_data["note"]
            if _run(
                request,
                lambda: actions.correct_item(
                    request.user, item.pk, corrections, note=note, via="web"
                ),
                lambda n: (
                    _("Item %(reference)s corrected and approved.") % {"reference": item.reference}
                ),
                form,
            ):
                return redirect(_return_to(request))
        status = 400
    else:
        form = CorrectionForm(robot=robot, output=item.output)
        status = 200
    context: dict[str, Any] = {
        "item": item,
        "form": form,
        "title": _("Correct and approve item"),
        "button": _("Save correction and approve"),
        "next": _return_to(request),
    }
    return render(request, "web/item_action.html", context, status=status)
