from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "kuntarobo.decisions"
    verbose_name = _("Decision records")

    def ready(self) -> None:
        from kuntarobo.decisions import guards

        # After every migrate: a migration that made SQLite rebuild a table dropped its
        # triggers, and a new content column must be guarded from the moment it exists.
        post_migrate.connect(guards.guard_after_migrate, dispatch_uid="decision-record-guards")
