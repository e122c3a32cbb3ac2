"""`kuntarobo hr-reports`: the command's name as documented (the module is hr_reports)."""

from kuntarobo.robots.hr_reports.management.commands.hr_reports import Command

__all__ = ["Command"]
