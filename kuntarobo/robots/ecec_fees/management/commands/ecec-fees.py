"""`kuntarobo ecec-fees`: the command's name as documented (the module is ecec_fees)."""

from kuntarobo.robots.ecec_fees.management.commands.ecec_fees import Command

__all__ = ["Command"]
