"""The portfolio's models, one module per area; every model is imported here so Django finds it."""

from kuntarobo.portfolio.models.documents import (
    DEFAULT_HOURS_PER_PERSON_YEAR,
    CardLanguage,
    PathDocumentVersion,
    ResultCard,
)
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
from kuntarobo.portfolio.models.measure import RobotMonth, RollupMark, RunningCost
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
    "DEFAULT_HOURS_PER_PERSON_YEAR",
    "STAGE_MOVES",
    "Assessment",
    "BusinessCase",
    "BusinessCaseYear",
    "CardLanguage",
    "CustomerFeedback",
    "CustomerFeedbackLink",
    "FeedbackSource",
    "Idea",
    "IdeaStageChange",
    "PathDocumentVersion",
    "PortfolioQuerySet",
    "Programme",
    "ResultCard",
    "RobotMonth",
    "RollupMark",
    "RunningCost",
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
