"""The platform models a robot's own models refer to (foreign keys, scoped querysets)."""

from kuntarobo.accounts.models import Municipality
from kuntarobo.runtime.models import RobotSettings, Run, ScopedQuerySet, WorkItem

__all__ = ["Municipality", "RobotSettings", "Run", "ScopedQuerySet", "WorkItem"]
