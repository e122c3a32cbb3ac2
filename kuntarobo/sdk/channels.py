"""Delivery channels a robot sends through."""

from kuntarobo.runtime import suomifi_messages

__all__ = ["suomifi_messages"]
