"""The idea bank's pages: the list with search and filters (the portfolio's home), an idea with
its stage history and the moves it may make, workshops with live capture, ideas other
municipalities share, and the Excel export and import. Every change goes through
kuntarobo.portfolio.ideas, as the API and the CLI do."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.forms.models import fields_for_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.portfolio import ideas as actions
from kuntarobo.portfolio.idea_excel import (
    MAX_FILE_BYTES,
    XLSX_CONTENT_TYPE,
    export_ideas,
    import_ideas,
)
from kuntarobo.portfolio.models import Idea, ResultCard, SharingScope, Stage, Workshop
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError, all_robots
from kuntarobo.web.forms import BaseForm, DateInput
from kuntarobo.web.scoping import municipality_or_404, require_somewhere
from kuntarobo.web.views.common import paginate

IDEAS_PER_PAGE = 50
CAPTURE_FIELDS = ("title", "description", "department", "process", "systems", "proposer")


class IdeaForm(BaseForm):
    """What is entered about an idea, with the model's own labels and limits."""

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Idea, fields=actions.IDEA_FIELDS))
        workshop = self.fields["workshop"]
        assert isinstance(workshop, forms.ModelChoiceField)
        workshop.queryset = Workshop.objects.filter(municipality=municipality)
        workshop.label = gettext_lazy("Workshop")


class CaptureForm(BaseForm):
    """The short form a facilitator types into during a workshop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Idea, fields=CAPTURE_FIELDS))
        self.fields["department"].required = False
        self.fields["department"].help_text = gettext_lazy("Empty: the workshop's department.")
        self.fields["title"].widget.attrs["autofocus"] = True
        self.fields["description"].widget.attrs["rows"] = 3


class MoveForm(BaseForm):
    to_stage = forms.ChoiceField(label=gettext_lazy("Move to"))
    robot_slug = forms.ChoiceField(
        label=gettext_lazy("Robot"),
        required=False,
        help_text=gettext_lazy("Needed for development and production."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_stage = self.fields["to_stage"]
        assert isinstance(to_stage, forms.ChoiceField)
        to_stage.choices = [(s.value, s.label) for s in Stage(idea.stage).allowed_next]
        robot = self.fields["robot_slug"]
        assert isinstance(robot, forms.ChoiceField)
        robot.choices = [("", "—"), *((r.slug, r.name.get()) for r in all_robots())]
        robot.initial = idea.robot_slug


class SharingForm(BaseForm):
    shared_with = forms.ChoiceField(label=gettext_lazy("Share with"), choices=SharingScope.choices)


class CopyForm(BaseForm):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(),
        to_field_name="slug",
        label=gettext_lazy("Copy into the bank of"),
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        if municipalities.count() == 1:
            field.initial = municipalities.first()


class WorkshopForm(BaseForm):
    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Workshop,
                fields=("title", "department", "held_on", "programme", "notes"),
                widgets={"held_on": DateInput()},
            )
        )
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ModelChoiceField)
        programme.queryset = municipality.programmes.all()
        programme.label = gettext_lazy("Programme")


class ImportForm(BaseForm):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        help_text=gettext_lazy(
            "Rows with an id update that idea of this municipality, rows without one add new "
            "ideas. Headings in Finnish, Swedish or English. All rows or none are saved."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class FilterForm(BaseForm):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(),
        to_field_name="slug",
        required=False,
        label=gettext_lazy("Municipality"),
        empty_label=gettext_lazy("All"),
    )
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[("", gettext_lazy("All")), *Stage.choices],
    )
    workshop = forms.ModelChoiceField(
        queryset=Workshop.objects.none(),
        required=False,
        label=gettext_lazy("Workshop"),
        empty_label=gettext_lazy("All"),
    )
    shared = forms.ChoiceField(
        label=gettext_lazy("Shared"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Shared")),
            ("no", gettext_lazy("Not shared")),
        ],
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ModelChoiceField)
        municipality.queryset = municipalities
        workshop = self.fields["workshop"]
        assert isinstance(workshop, forms.ModelChoiceField)
        workshop.queryset = Workshop.objects.filter(municipality__in=municipalities)
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        departments = (
            Idea.objects.filter(municipality__in=municipalities)
            .order_by("department")
            .values_list("department", flat=True)
            .distinct()
        )
        department.choices = [("", _("All")), *((d, d) for d in departments if d)]

    def filtered(self, ideas: QuerySet[Idea]) -> QuerySet[Idea]:
        if not self.is_valid():
            return ideas
        data = self.cleaned_data
        if data["q"]:
            words = data["q"].split()
            for word in words[:10]:
                ideas = ideas.filter(
                    Q(title__icontains=word)
                    | Q(description__icontains=word)
                    | Q(process__icontains=word)
                    | Q(systems__icontains=word)
                )
        if data["municipality"]:
            ideas = ideas.filter(municipality=data["municipality"])
        if data["department"]:
            ideas = ideas.filter(department=data["department"])
        if data["stage"]:
            ideas = ideas.filter(stage=data["stage"])
        if data["workshop"]:
            ideas = ideas.filter(workshop=data["workshop"])
        if data["shared"] == "yes":
            ideas = ideas.exclude(shared_with=SharingScope.PRIVATE)
        elif data["shared"] == "no":
            ideas = ideas.filter(shared_with=SharingScope.PRIVATE)
        return ideas


def _managed(request: HttpRequest) -> QuerySet[Municipality]:
    return Municipality.objects.for_user(request.user, Permission.MANAGE_PORTFOLIO)


def _visible_idea(request: HttpRequest, pk: int) -> Idea:
    """An idea of one's own municipalities or shared with them; any other is not found."""
    idea = (
        Idea.objects.visible_to(request.user)
        .select_related("municipality", "workshop")
        .filter(pk=pk)
        .first()
    )
    if idea is None:
        raise Http404(_("Not found."))
    return idea


def _managed_idea(request: HttpRequest, pk: int) -> Idea:
    """An idea of one's own municipality (else 404) that the user may change (else 403)."""
    idea = (
        Idea.objects.for_user(request.user, Permission.VIEW)
        .select_related("municipality")
        .filter(pk=pk)
        .first()
    )
    if idea is None:
        raise Http404(_("Not found."))
    if not has_permission(request.user, idea.municipality, Permission.MANAGE_PORTFOLIO):
        raise PermissionDenied
    return idea


def _workshop(request: HttpRequest, pk: int, permission: str = Permission.VIEW) -> Workshop:
    workshop = (
        Workshop.objects.for_user(request.user, Permission.VIEW)
        .select_related("municipality", "facilitator", "programme")
        .filter(pk=pk)
        .first()
    )
    if workshop is None:
        raise Http404(_("Not found."))
    if permission != Permission.VIEW and not has_permission(
        request.user, workshop.municipality, permission
    ):
        raise PermissionDenied
    return workshop


def _add_input_error(form: forms.Form, error: InputError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@login_required
def ideas(request: HttpRequest) -> HttpResponse:
    """The portfolio's home: the ideas of the user's municipalities, searched and filtered."""
    municipalities = Municipality.objects.for_user(request.user, Permission.VIEW).order_by(
        "name_fi"
    )
    form = FilterForm(request.GET or None, municipalities=municipalities)
    listed = form.filtered(
        Idea.objects.for_user(request.user, Permission.VIEW).select_related(
            "municipality", "workshop"
        )
    )
    managed = _managed(request).order_by("name_fi")
    context = {
        "form": form,
        "page": paginate(request, listed, IDEAS_PER_PAGE),
        "municipalities": municipalities,
        "managed": managed,
        "filtered": bool(set(request.GET) - {"page"}),
    }
    return render(request, "portfolio/idea_list.html", context)


@login_required
def idea_new(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality, Permission.MANAGE_PORTFOLIO)
    form = IdeaForm(request.POST if request.method == "POST" else None, municipality=place)
    if request.method == "POST" and form.is_valid():
        try:
            idea = actions.create_idea(request.user, place, form.cleaned_data, via="web")
        except InputError as error:
            _add_input_error(form, error)
        else:
            messages.success(request, _("Idea saved."))
            return redirect("portfolio:idea_detail", pk=idea.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "municipality": place, "idea": None}
    return render(request, "portfolio/idea_form.html", context, status=status)


@login_required
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _managed_idea(request, pk)
    initial = {name: getattr(idea, name) for name in actions.IDEA_FIELDS}
    form = IdeaForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        municipality=idea.municipality,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_idea(request.user, idea, form.cleaned_data, via="web")
        except InputError as error:
            _add_input_error(form, error)
        else:
            messages.success(request, _("Idea saved."))
            return redirect("portfolio:idea_detail", pk=idea.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "municipality": idea.municipality, "idea": idea}
    return render(request, "portfolio/idea_form.html", context, status=status)


@login_required
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _visible_idea(request, pk)
    own = has_permission(request.user, idea.municipality, Permission.VIEW)
    can_manage = own and has_permission(
        request.user, idea.municipality, Permission.MANAGE_PORTFOLIO
    )
    copy_to = _managed(request).exclude(pk=idea.municipality_id).order_by("name_fi")
    context = {
        "idea": idea,
        "own": own,
        "can_manage": can_manage,
        "history": idea.stage_changes.all() if own else [],
        "move_form": MoveForm(idea=idea) if can_manage and Stage(idea.stage).allowed_next else None,
        "sharing_form": SharingForm(initial={"shared_with": idea.shared_with})
        if can_manage
        else None,
        "copy_form": CopyForm(municipalities=copy_to) if not own and copy_to.exists() else None,
        "runners": actions.same_robot_users(request.user, idea),
        # the source of a copy, only while its owner still shares it with the user
        "source": Idea.objects.visible_to(request.user)
        .select_related("municipality")
        .filter(pk=idea.copied_from_id)
        .first()
        if idea.copied_from_id
        else None,
        "robot_stages": [str(s) for s in actions.ROBOT_STAGES],
        # the models' own labels ({% translate %} would look one with a per cent sign up as "%%")
        "labels": {
            name: capfirst(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            for model, name in (
                (Idea, "volume_per_year"),
                (Idea, "manual_minutes_per_case"),
                (Idea, "rework_share_percent"),
                (Idea, "beneficiaries"),
                (Idea, "proposer"),
                (Idea, "shared_with"),
            )
        },
    }
    return render(request, "portfolio/idea_detail.html", context)


@login_required
@require_POST
def idea_move(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _managed_idea(request, pk)
    form = MoveForm(request.POST, idea=idea)
    if not form.is_valid():
        # a move the stage does not allow is not among the choices: say which
        wanted = request.POST.get("to_stage", "")
        if wanted in Stage.values:
            messages.error(
                request,
                _("An idea cannot move from “%(from)s” to “%(to)s”.")
                % {"from": Stage(idea.stage).label, "to": Stage(wanted).label},
            )
        else:
            messages.error(request, _("Choose the stage to move the idea to."))
        return redirect("portfolio:idea_detail", pk=idea.pk)
    data = form.cleaned_data
    try:
        actions.move_idea(
            request.user,
            idea,
            data["to_stage"],
            robot_slug=data["robot_slug"] or None,
            note=data["note"],
            via="web",
        )
    except InputError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The idea moved to “%(stage)s”.") % {"stage": Stage(data["to_stage"]).label}
        )
    return redirect("portfolio:idea_detail", pk=idea.pk)


@login_required
@require_POST
def idea_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _managed_idea(request, pk)
    form = SharingForm(request.POST)
    if form.is_valid():
        scope = SharingScope(form.cleaned_data["shared_with"])
        if actions.share_idea(request.user, idea, scope, via="web"):
            if scope == SharingScope.PRIVATE:
                messages.success(request, _("Sharing withdrawn."))
            else:
                messages.success(request, _("Shared: %(scope)s.") % {"scope": scope.label})
    else:
        messages.error(request, _("Choose with whom to share the idea."))
    return redirect("portfolio:idea_detail", pk=idea.pk)


@login_required
@require_POST
def idea_copy(request: HttpRequest, pk: int) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO)
    source = _visible_idea(request, pk)
    form = CopyForm(request.POST, municipalities=managed)
    if not form.is_valid():
        messages.error(request, _("Choose the municipality whose bank gets the copy."))
        return redirect("portfolio:idea_detail", pk=source.pk)
    try:
        copy = actions.copy_idea(request.user, source, form.cleaned_data["municipality"], via="web")
    except PermissionDeniedError:
        raise PermissionDenied from None
    except InputError as error:
        messages.error(request, str(error))
        return redirect("portfolio:idea_detail", pk=source.pk)
    messages.success(request, _("The idea was copied into your bank."))
    return redirect("portfolio:idea_detail", pk=copy.pk)


MAX_SHARED_CARDS = 200


@login_required
def shared_ideas(request: HttpRequest) -> HttpResponse:
    """What other municipalities share with the user's: never the proposer."""
    own = Municipality.objects.for_user(request.user, Permission.VIEW)
    listed = (
        Idea.objects.visible_to(request.user)
        .exclude(municipality__in=own)
        .select_related("municipality")
        .order_by("-updated_at", "-pk")
    )
    query = request.GET.get("q", "").strip()[:200]
    for word in query.split()[:10]:
        listed = listed.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(process__icontains=word)
            | Q(systems__icontains=word)
        )
    managed = _managed(request).order_by("name_fi")
    # Shared result cards (and so their robots' path documents) of robots still installed.
    shared_cards = (
        ResultCard.objects.visible_to(request.user)
        .exclude(municipality__in=own)
        .select_related("municipality")
        .order_by("municipality__name_fi", "robot_slug")[:MAX_SHARED_CARDS]
    )
    installed = {robot.slug for robot in all_robots()}
    cards = [card for card in shared_cards if card.robot_slug in installed]
    context = {
        "cards": cards,
        "page": paginate(request, listed, IDEAS_PER_PAGE),
        "query": query,
        "copy_form": CopyForm(municipalities=managed) if managed.exists() else None,
    }
    return render(request, "portfolio/idea_shared.html", context)


@login_required
def ideas_export(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality)
    content = export_ideas(request.user, place, via="web")
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ideat-{place.slug}-{day}.xlsx"'
    return response


@login_required
def ideas_import(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality, Permission.MANAGE_PORTFOLIO)
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(limit)s MB (the limit).")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        else:
            try:
                result = import_ideas(request.user, place, upload.read(), via="web")
            except InputError as error:
                problems = str(error).splitlines()
                form.add_error("file", _("Nothing was saved: correct the workbook and try again."))
            else:
                messages.success(
                    request,
                    _(
                        "Imported: %(created)s new ideas, %(updated)s updated, %(unchanged)s "
                        "unchanged."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect(f"{reverse('portfolio:ideas')}?municipality={place.slug}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "municipality": place, "problems": problems}
    return render(request, "portfolio/idea_import.html", context, status=status)


@login_required
def workshops(request: HttpRequest) -> HttpResponse:
    listed = (
        Workshop.objects.for_user(request.user, Permission.VIEW)
        .select_related("municipality", "facilitator")
        .annotate(idea_count=Count("ideas"))
        .order_by("-held_on", "title")
    )
    context = {
        "page": paginate(request, listed, IDEAS_PER_PAGE),
        "managed": _managed(request).order_by("name_fi"),
    }
    return render(request, "portfolio/workshop_list.html", context)


@login_required
def workshop_new(request: HttpRequest, municipality: str) -> HttpResponse:
    place = municipality_or_404(request.user, municipality, Permission.MANAGE_PORTFOLIO)
    form = WorkshopForm(
        request.POST if request.method == "POST" else None,
        municipality=place,
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workshop = actions.create_workshop(
                request.user,
                place,
                title=data["title"],
                department=data["department"],
                held_on=data["held_on"],
                programme=data["programme"],
                notes=data["notes"],
                via="web",
            )
        except InputError as error:
            _add_input_error(form, error)
        else:
            # no message: the capture form takes the focus (autofocus), not a message
            return redirect("portfolio:workshop_detail", pk=workshop.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "municipality": place}
    return render(request, "portfolio/workshop_form.html", context, status=status)


@login_required
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's capture page: the new-idea form first, the captured ideas below."""
    permission = Permission.MANAGE_PORTFOLIO if request.method == "POST" else Permission.VIEW
    workshop = _workshop(request, pk, permission)
    can_manage = has_permission(request.user, workshop.municipality, Permission.MANAGE_PORTFOLIO)
    form = None
    if can_manage and workshop.is_open:
        form = CaptureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("The workshop is closed: no more ideas are captured."))
            return redirect("portfolio:workshop_detail", pk=workshop.pk)
        if form.is_valid():
            try:
                idea = actions.capture_idea(request.user, workshop, form.cleaned_data, via="web")
            except InputError as error:
                _add_input_error(form, error)
            else:
                # no message: it would take the focus the facilitator keeps in the form
                url = reverse("portfolio:workshop_detail", kwargs={"pk": workshop.pk})
                return redirect(f"{url}?captured={idea.pk}")
    captured = workshop.ideas.order_by("-created_at", "-pk")
    status = 400 if request.method == "POST" else 200
    just = (
        captured.filter(pk=request.GET.get("captured", "")).first()
        if request.GET.get("captured", "").isdigit()
        else None
    )
    context = {
        "workshop": workshop,
        "form": form,
        "captured": captured,
        "just_captured": just,
        "can_manage": can_manage,
    }
    return render(request, "portfolio/workshop_detail.html", context, status=status)


@login_required
@require_POST
def workshop_close(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk, Permission.MANAGE_PORTFOLIO)
    if actions.close_workshop(request.user, workshop, via="web"):
        messages.success(request, _("The workshop is closed."))
    return redirect("portfolio:workshop_detail", pk=workshop.pk)
