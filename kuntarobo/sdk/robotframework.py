"""Robots written as Robot Framework suites."""

from kuntarobo.runtime.robotframework import RobotFrameworkRobot

__all__ = ["RobotFrameworkRobot"]
