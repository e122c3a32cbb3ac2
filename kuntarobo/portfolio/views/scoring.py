"""Pages of the open suitability method: assessing an idea, the ranking with its
value-against-ease chart, the weights per municipality, and the method itself. Changes go
through kuntarobo.portfolio.scoring (the manage-portfolio permission, audited), as the API and
CLI do."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from kuntarobo.accounts.models import Municipality, Permission, has_permission
from kuntarobo.core.charts import Point, scatter_chart
from kuntarobo.core.suitability import (
    CRITERIA,
    EXCEPTION_FLOOR,
    MAX_WEIGHT,
    METHOD_VERSION,
    assess,
)
from kuntarobo.portfolio.chart_view import ChartView
from kuntarobo.portfolio.models import Idea, ScoringWeights, Stage
from kuntarobo.portfolio.scoring import (
    assess_idea,
    latest_assessment,
    ranking,
    set_weights,
    weights_in_force,
)
from kuntarobo.portfolio.scoring_texts import (
    CRITERION_LABELS,
    CRITERION_TEXTS,
    WEIGHT_SOURCES,
    localized_number,
    translated_line,
)
from kuntarobo.runtime.actions import PermissionDeniedError
from kuntarobo.runtime.declarations import InputError
from kuntarobo.web.forms import BaseForm
from kuntarobo.web.scoping import require_somewhere

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SCORE_CHOICES = [(str(value), str(value)) for value in range(1, 6)]
INSTALLATION = "installation"
# The worked example on the method page (and in docs/scoring-method.md).
EXAMPLE_SCORES = {
    "rule_based": 5,
    "digital_input": 4,
    "stability": 4,
    "standardisation": 3,
    "exception_rate": 4,
    "documentation": 2,
}
EXAMPLE_VOLUME = 12000
EXAMPLE_MINUTES = Decimal(4)
EXAMPLE_REWORK = Decimal(5)


def idea_detail_path(idea: Idea) -> str:
    """The idea's page, portfolio:idea_detail (drawn by the idea bank's views); its path is
    known before that page is mounted."""
    try:
        return reverse("portfolio:idea_detail", args=[idea.pk])
    except NoReverseMatch:
        return f"/portfolio/ideas/{idea.pk}/"


class AssessForm(BaseForm):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the scores rest on, e.g. who took part in assessing."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scored = {
            text.name: forms.ChoiceField(
                label=text.label,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                help_text=format_lazy("{} {}; {}.", text.question, text.low, text.high),
                error_messages={"required": gettext_lazy("Choose a score from 1 to 5.")},
            )
            for text in CRITERION_TEXTS
        }
        self.fields = {**scored, **self.fields}

    def criterion_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(text, self[text.name]) for text in CRITERION_TEXTS]

    def scores(self) -> dict[str, int]:
        return {name: int(self.cleaned_data[name]) for name in CRITERIA}


def _idea_to_manage(request: HttpRequest, pk: int) -> Idea:
    """The idea if the user sees its municipality (else 404) and manages its portfolio (403)."""
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


@login_required
def idea_assess(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea_to_manage(request, pk)
    latest = latest_assessment(idea)
    initial = {name: str(value) for name, value in (latest.scores if latest else {}).items()}
    form = AssessForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assess_idea(
                request.user, idea, form.scores(), note=form.cleaned_data["note"], via="web"
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("The idea has been assessed."))
            return redirect("portfolio:idea_assess", pk=idea.pk)
    weights, source = weights_in_force(idea.municipality)
    context = {
        "idea": idea,
        "form": form,
        "latest": latest,
        "idea_path": idea_detail_path(idea),
        "weights": [(CRITERION_LABELS[name], localized_number(weights[name])) for name in CRITERIA],
        "weights_source": WEIGHT_SOURCES[source],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/scoring_assess.html", context, status=status)


class RankingFilter(BaseForm):
    municipality = forms.ChoiceField(label=gettext_lazy("Municipality"), required=False)
    department = forms.ChoiceField(label=pgettext_lazy("scoring", "Department"), required=False)

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality], departments: list[str], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        everyone = ("", _("All"))
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = [everyone, *((m.slug, str(m)) for m in municipalities)]
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        department.choices = [everyone, *((d, d) for d in departments)]


def _stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    municipalities = require_somewhere(request.user, Permission.VIEW).order_by("name_fi")
    ideas = Idea.objects.for_user(request.user, Permission.VIEW).filter(assessments__isnull=False)
    departments = sorted(set(ideas.values_list("department", flat=True)), key=str.casefold)
    chosen = RankingFilter(request.GET, municipalities=municipalities, departments=departments)
    if chosen.is_valid():
        if chosen.cleaned_data["municipality"]:
            ideas = ideas.filter(municipality__slug=chosen.cleaned_data["municipality"])
        if chosen.cleaned_data["department"]:
            ideas = ideas.filter(department=chosen.cleaned_data["department"])
    ranked = ranking(ideas.distinct())
    rows = [
        {
            "rank": index,
            "idea": idea,
            "assessment": assessment,
            "href": idea_detail_path(idea),
            "stage": _stage_label(idea.stage),
        }
        for index, (idea, assessment) in enumerate(ranked, start=1)
    ]
    chart = None
    if ranked:
        svg = scatter_chart(
            pgettext("scoring", "Value against ease"),
            _(
                "Each dot is an assessed idea: ease of implementation from 1 to 5 across, hours "
                "a robot could save a year upwards. The ideas up and to the right are worth most "
                "and easiest to reach. The table below gives the same figures."
            ),
            [
                Point(
                    label=idea.title,
                    x=float(assessment.ease),
                    y=float(assessment.hours_per_year),
                    href=idea_detail_path(idea),
                )
                for idea, assessment in ranked
            ],
            x_label=pgettext("scoring", "Ease of implementation (1–5)"),
            y_label=pgettext("scoring", "Hours a year"),
            x_max=5.0,
        )
        columns: list[StrOrPromise] = [
            pgettext("scoring", "Idea"),
            pgettext("scoring", "Ease of implementation (1–5)"),
            pgettext("scoring", "Hours a year"),
        ]
        chart = ChartView(
            svg=svg,
            caption=_("The figures of the value-against-ease chart"),
            columns=columns,
            rows=[
                (idea.title, localized_number(a.ease), localized_number(a.hours_per_year))
                for idea, a in ranked
            ],
        )
    context = {"filter": chosen, "rows": rows, "chart": chart}
    return render(request, "portfolio/scoring_ranking.html", context)


class WeightsForm(BaseForm):
    scope = forms.ChoiceField(label=pgettext_lazy("scoring", "Weights of"))

    def __init__(
        self, *args: Any, municipalities: QuerySet[Municipality], installation: bool, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        choices: list[tuple[str, str]] = [(m.slug, str(m)) for m in municipalities]
        if installation:
            choices.append((INSTALLATION, pgettext("scoring", "The installation's default")))
        scope.choices = choices
        for text in CRITERION_TEXTS:
            self.fields[text.name] = forms.DecimalField(
                label=text.label,
                min_value=Decimal(0),
                max_value=MAX_WEIGHT,
                max_digits=5,
                decimal_places=2,
                localize=True,
                help_text=gettext_lazy("From 0 to 100; 0 leaves the criterion out."),
            )

    def weights(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data[name] for name in CRITERIA}


def _weights_table(municipalities: QuerySet[Municipality]) -> list[dict[str, Any]]:
    table = []
    for municipality in municipalities:
        weights, source = weights_in_force(municipality)
        table.append(
            {
                "municipality": municipality,
                "weights": [localized_number(weights[name]) for name in CRITERIA],
                "source": WEIGHT_SOURCES[source],
            }
        )
    return table


@login_required
def scoring_weights(request: HttpRequest) -> HttpResponse:
    managed = require_somewhere(request.user, Permission.MANAGE_PORTFOLIO).order_by("name_fi")
    installation = bool(request.user.is_superuser and request.user.is_active)
    first = managed.first()
    current, _source = weights_in_force(first)
    form = WeightsForm(
        request.POST if request.method == "POST" else None,
        municipalities=managed,
        installation=installation,
        initial={name: current[name].normalize() for name in CRITERIA},
    )
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        municipality = None if scope == INSTALLATION else managed.get(slug=scope)
        try:
            changed = set_weights(request.user, municipality, form.weights(), via="web")
        except PermissionDeniedError:
            raise PermissionDenied from None
        except InputError as error:
            field = (error.field or "").removeprefix("weights.")
            form.add_error(field if field in form.fields else None, str(error))
        else:
            if changed is None:
                messages.info(request, _("The weights were already these; nothing changed."))
            else:
                messages.success(
                    request, _("The weights have been saved. New assessments use them.")
                )
            return redirect("portfolio:scoring_weights")
    history = (
        ScoringWeights.objects.filter(municipality__in=managed)
        .select_related("municipality")
        .order_by("-changed_at", "-pk")[:20]
    )
    context = {
        "form": form,
        "criteria": [CRITERION_LABELS[name] for name in CRITERIA],
        "table": _weights_table(managed),
        "history": [
            {"row": row, "weights": [localized_number(row.weights.get(n, "")) for n in CRITERIA]}
            for row in history
        ],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/scoring_weights.html", context, status=status)


@login_required
def scoring_method(request: HttpRequest) -> HttpResponse:
    """The method in the reader's language, with the weights in force for the reader's
    municipalities: every signed-in user may read how ideas are scored."""
    municipalities = Municipality.objects.for_user(request.user, Permission.VIEW).order_by(
        "name_fi"
    )
    example = assess(
        EXAMPLE_SCORES,
        volume_per_year=EXAMPLE_VOLUME,
        minutes_per_case=EXAMPLE_MINUTES,
        rework_share_percent=EXAMPLE_REWORK,
    )
    default_weights, default_source = weights_in_force(None)
    context = {
        "method_version": METHOD_VERSION,
        "criteria": CRITERION_TEXTS,
        "criterion_labels": [CRITERION_LABELS[name] for name in CRITERIA],
        "table": _weights_table(municipalities),
        "default_weights": [localized_number(default_weights[name]) for name in CRITERIA],
        "default_source": WEIGHT_SOURCES[default_source],
        "floor": localized_number(EXCEPTION_FLOOR),
        "example_scores": [(CRITERION_LABELS[n], EXAMPLE_SCORES[n]) for n in CRITERIA],
        "example_volume": EXAMPLE_VOLUME,
        "example_minutes": localized_number(EXAMPLE_MINUTES),
        "example_rework": localized_number(EXAMPLE_REWORK),
        "example_lines": [translated_line(line) for line in example.reasoning],
        "ranking_url": reverse("portfolio:ranking"),
    }
    return render(request, "portfolio/scoring_method.html", context)
