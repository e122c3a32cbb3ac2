"""The Django admin is for the installation's operators (superusers) only, never municipal users."""

from django.contrib import admin

from kuntarobo.accounts.models import Membership, Municipality


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fi", "name_sv", "business_id"]
    search_fields = ["slug", "name_fi", "name_sv"]
    inlines = [MembershipInline]


admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)
