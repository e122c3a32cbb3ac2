"""The platform models a robot's own models refer to (foreign keys, scoped querysets)."""

from kuntarobo.accounts.models import Municipality
from kuntarobo.runtime.models import Run, ScopedQuerySet, WorkItem

__all__ = ["Municipality", "Run", "ScopedQuerySet", "WorkItem"]
