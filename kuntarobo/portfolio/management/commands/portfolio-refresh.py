# ruff: noqa: N999 - the documented, hyphenated name of a command
"""`kuntarobo portfolio-refresh`: the command's name as documented (the module is
portfolio_refresh)."""

from kuntarobo.portfolio.management.commands.portfolio_refresh import Command

__all__ = ["Command"]
