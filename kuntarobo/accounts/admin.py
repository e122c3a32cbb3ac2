"""The Django admin is for the installation's operators (superusers) only, never municipal users."""

from django.contrib import admin
from django.http import HttpRequest

from kuntarobo.accounts.models import Membership, Municipality, OidcIdentity


class MembershipInline(admin.TabularInline[Membership, Municipality]):
    model = Membership
    extra = 1


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    list_display = ["slug", "name_fi", "name_sv", "business_id"]
    search_fields = ["slug", "name_fi", "name_sv"]
    inlines = [MembershipInline]


admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin[OidcIdentity]):
    """Which provider account each user signs in with; deleting a row unlinks it (the next
    sign-in with that account creates a new user)."""

    list_display = ["user", "provider", "subject", "last_sign_in_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "provider", "issuer", "subject", "created_at", "last_sign_in_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
