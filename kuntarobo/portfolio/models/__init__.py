"""The portfolio's models, one module per area; every model is imported here so Django finds it."""

from kuntarobo.portfolio.models.ideas import (
    STAGE_MOVES,
    Assessment,
    BusinessCase,
    BusinessCaseYear,
    Idea,
    IdeaStageChange,
    PortfolioQuerySet,
    Programme,
    SharingScope,
    Stage,
    Workshop,
)
from kuntarobo.portfolio.models.scoring import ScoringWeights
from kuntarobo.portfolio.models.surveys import (
    CustomerFeedback,
    CustomerFeedbackLink,
    FeedbackSource,
    SurveyInvitation,
    SurveyLanguage,
    SurveyPhase,
    SurveyResponse,
    SurveyRound,
    SurveySettings,
)

__all__ = [
    "STAGE_MOVES",
    "Assessment",
    "BusinessCase",
    "BusinessCaseYear",
    "CustomerFeedback",
    "CustomerFeedbackLink",
    "FeedbackSource",
    "Idea",
    "IdeaStageChange",
    "PortfolioQuerySet",
    "Programme",
    "ScoringWeights",
    "SharingScope",
    "Stage",
    "SurveyInvitation",
    "SurveyLanguage",
    "SurveyPhase",
    "SurveyResponse",
    "SurveyRound",
    "SurveySettings",
    "Workshop",
]
