from typing import Any

from django.http import HttpRequest

from kuntarobo.accounts.models import Municipality, Permission


def municipalities(request: HttpRequest) -> dict[str, Any]:
    """The navigation needs to know which municipalities and powers the user has."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "user_municipalities": Municipality.objects.for_user(user),
        "can_audit": Municipality.objects.for_user(user, Permission.VIEW_AUDIT).exists(),
        "can_review": Municipality.objects.for_user(user, Permission.REVIEW).exists(),
        "can_manage_users": Municipality.objects.for_user(user, Permission.MANAGE_USERS).exists(),
        "can_manage_vault": Municipality.objects.for_user(user, Permission.MANAGE_VAULT).exists(),
    }
