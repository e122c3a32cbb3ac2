"""Who may do what: a robot's actions call `require` before they change anything."""

from kuntarobo.accounts.models import Permission, has_permission
from kuntarobo.runtime.actions import PermissionDeniedError, get_municipality, require

__all__ = ["Permission", "PermissionDeniedError", "get_municipality", "has_permission", "require"]
