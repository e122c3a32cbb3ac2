"""The audit trail: every state change a robot's own action makes is recorded here."""

from kuntarobo.audit.trail import actor_label, record

__all__ = ["actor_label", "record"]
