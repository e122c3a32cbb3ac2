"""Starting a robot's run from the robot's own code (e.g. a survey campaign started on its
page): the same action as the web, API and scheduler (permissions, deployment, audit)."""

from kuntarobo.runtime.actions import StartedRun, start_run

__all__ = ["StartedRun", "start_run"]
