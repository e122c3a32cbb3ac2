"""Path documents and result cards: pages and PDFs. A municipality's members read its documents;
its portfolio managers edit and share its result cards. Another municipality sees a card (and the
path document with the same figures) only when it was shared with it; otherwise 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.portfolio.documents_pdf import path_document_pdf, result_card_pdf
from kuntarobo.portfolio.models import CardLanguage, ResultCard, SharingScope
from kuntarobo.portfolio.path_document import DIAGRAM_MISSING, path_document, path_pdf_data
from kuntarobo.portfolio.result_cards import (
    TEXT_LIMITS,
    card_figures,
    card_for,
    card_pdf_data,
    figure_rows,
    period_text,
    save_result_card,
)
from kuntarobo.portfolio.sharing import set_sharing
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError, Robot, get_robot
from kuntarobo.web import labels
from kuntarobo.web.forms import BaseForm, DateInput
from kuntarobo.web.scoping import municipality_or_404

if TYPE_CHECKING:
    pass


def _language() -> str:
    return (get_language() or "fi")[:2]


def _robot_or_404(slug: str) -> type[Robot]:
    try:
        return get_robot(slug)
    except InputError:
        raise Http404(_("Not found.")) from None


def _shared_card(request: HttpRequest, robot: type[Robot], municipality: str) -> ResultCard:
    card = (
        ResultCard.objects.visible_to(request.user)
        .filter(municipality__slug=municipality, robot_slug=robot.slug)
        .select_related("municipality")
        .first()
    )
    if card is None:
        raise Http404(_("Not found."))
    return card


def _readable(
    request: HttpRequest, robot: type[Robot], municipality: str
) -> tuple[Municipality, ResultCard, bool]:
    """The municipality, its card of the robot (saved or default) and whether the reader is a
    member; a non-member reads only a card shared with them (else 404)."""
    own = Municipality.objects.for_user(request.user, Permission.VIEW).filter(slug=municipality)
    place = own.first()
    if place is None:
        card = _shared_card(request, robot, municipality)
        return card.municipality, card, False
    return place, card_for(place, robot, _language()), True


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def path_document_page(request: HttpRequest, robot: str, municipality: str) -> HttpResponse:
    declared = _robot_or_404(robot)
    place, _card, member = _readable(request, declared, municipality)
    language = _language()
    document = path_document(declared, place, language)
    diagram = document.diagram_svg
    if diagram:
        label = escape(_("Process diagram of %(robot)s") % {"robot": declared.name.get(language)})
        diagram = diagram.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)
    context = {
        "robot": declared,
        "municipality": place,
        "document": document,
        "figures": document.figures,
        "diagram_svg": diagram,
        "diagram_missing": DIAGRAM_MISSING,
        "class_name": labels.ROBOT_CLASS_NAMES[declared.robot_class],
        "class_explanation": labels.ROBOT_CLASS_EXPLANATIONS[declared.robot_class],
        "member": member,
    }
    return render(request, "portfolio/path_document.html", context)


@login_required
def path_document_pdf_view(request: HttpRequest, robot: str, municipality: str) -> HttpResponse:
    declared = _robot_or_404(robot)
    place, _card, _member = _readable(request, declared, municipality)
    language = _language()
    document = path_document(declared, place, language)
    pdf = path_document_pdf(path_pdf_data(document, language), document.diagram_svg)
    return _pdf(pdf, f"path-{declared.slug}-{place.slug}-v{document.version.number}.pdf")


@login_required
def result_card_page(request: HttpRequest, robot: str, municipality: str) -> HttpResponse:
    declared = _robot_or_404(robot)
    place, card, member = _readable(request, declared, municipality)
    figures = card_figures(card)
    context = {
        "robot": declared,
        "municipality": place,
        "card": card,
        "figures": figures,
        "figure_rows": figure_rows(figures, _language()),
        "period": period_text(figures.start, figures.end, _language()),
        "member": member,
        "can_manage": member and has_permission(request.user, place, Permission.MANAGE_PORTFOLIO),
        "share_form": ShareForm(initial={"scope": card.shared_with}),
    }
    return render(request, "portfolio/result_card.html", context)


@login_required
def result_card_pdf_view(request: HttpRequest, robot: str, municipality: str) -> HttpResponse:
    declared = _robot_or_404(robot)
    _place, card, _member = _readable(request, declared, municipality)
    pdf = result_card_pdf(card_pdf_data(card, card_figures(card)))
    return _pdf(pdf, f"result-card-{declared.slug}-{card.municipality.slug}.pdf")


class ResultCardForm(BaseForm):
    language = forms.ChoiceField(
        label=gettext_lazy("language of the card"), choices=CardLanguage.choices
    )
    goals = forms.CharField(label=gettext_lazy("goals"), required=False, widget=forms.Textarea)
    benefit_1 = forms.CharField(label=gettext_lazy("most important benefit 1"), required=False)
    benefit_2 = forms.CharField(label=gettext_lazy("most important benefit 2"), required=False)
    benefit_3 = forms.CharField(label=gettext_lazy("most important benefit 3"), required=False)
    lessons = forms.CharField(
        label=gettext_lazy("lessons learnt"),
        required=False,
        widget=forms.Textarea,
        help_text=gettext_lazy("One observation a line."),
    )
    what_it_does = forms.CharField(
        label=gettext_lazy("what the robot does"), required=False, widget=forms.Textarea
    )
    systems = forms.CharField(
        label=gettext_lazy("systems"),
        required=False,
        widget=forms.Textarea,
        help_text=gettext_lazy("One system a line."),
    )
    costs = forms.CharField(label=gettext_lazy("costs"), required=False, widget=forms.Textarea)
    period_start = forms.DateField(
        label=gettext_lazy("figures from"), required=False, widget=DateInput()
    )
    period_end = forms.DateField(
        label=gettext_lazy("figures until"), required=False, widget=DateInput()
    )
    hours_per_person_year = forms.IntegerField(
        label=gettext_lazy("working hours per person-year"), min_value=1, max_value=8760
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, limit in TEXT_LIMITS.items():
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            field.max_length = limit
            field.widget.attrs["maxlength"] = str(limit)
            field.validators.append(MaxLengthValidator(limit))


class ShareForm(BaseForm):
    scope = forms.ChoiceField(label=gettext_lazy("Share with"), choices=SharingScope.choices)


def _card_initial(card: ResultCard) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(card, name) for name in TEXT_LIMITS}
    initial.update(
        language=card.language,
        period_start=card.period_start,
        period_end=card.period_end,
        hours_per_person_year=card.hours_per_person_year,
    )
    return initial


@login_required
def result_card_edit(request: HttpRequest, robot: str, municipality: str) -> HttpResponse:
    declared = _robot_or_404(robot)
    place = municipality_or_404(request.user, municipality, Permission.MANAGE_PORTFOLIO)
    card = card_for(place, declared, _language())
    form = ResultCardForm(
        request.POST if request.method == "POST" else None, initial=_card_initial(card)
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_result_card(request.user, place, declared.slug, form.cleaned_data, via="web")
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Result card saved."))
            return redirect("portfolio:result_card", robot=declared.slug, municipality=place.slug)
    context = {"robot": declared, "municipality": place, "card": card, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/result_card_edit.html", context, status=status)


@login_required
@require_POST
def result_card_share(request: HttpRequest, robot: str, municipality: str) -> HttpResponse:
    declared = _robot_or_404(robot)
    place = municipality_or_404(request.user, municipality, Permission.MANAGE_PORTFOLIO)
    form = ShareForm(request.POST)
    card = ResultCard.objects.filter(municipality=place, robot_slug=declared.slug).first()
    if card is None:
        messages.error(request, _("Save the result card before sharing it."))
    elif not form.is_valid():
        messages.error(request, _("Choose with whom the card is shared."))
    else:
        try:
            changed = set_sharing(request.user, card, form.cleaned_data["scope"], via="web")
        except PermissionDeniedError:
            raise PermissionDenied from None
        if changed:
            messages.success(
                request,
                _("Sharing withdrawn.")
                if card.shared_with == SharingScope.PRIVATE
                else _("Result card shared."),
            )
    return redirect("portfolio:result_card", robot=declared.slug, municipality=place.slug)
