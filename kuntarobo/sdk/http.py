"""A robot's JSON API endpoints: token or session sign-in, JSON errors, permission checks."""

from kuntarobo.api.http import ApiError, endpoint

__all__ = ["ApiError", "endpoint"]
