"""A robot's municipal settings: declare a `SettingsSchema` as the robot's
`municipal_settings`; the platform gives it a page, a CLI command and an API endpoint. Read the
values in force with `current_settings`, or the stored row in force on a day (with the
`valid_from` a decision cites) with `settings_row_in_force`."""

from kuntarobo.runtime.settings_actions import (
    current_settings,
    save_robot_settings,
    settings_row_in_force,
)
from kuntarobo.runtime.settings_schema import Setting, SettingsSchema

__all__ = [
    "Setting",
    "SettingsSchema",
    "current_settings",
    "save_robot_settings",
    "settings_row_in_force",
]
