"""Deliveries in the admin: read only, the recipient masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kuntarobo.channels.models import Delivery, PrintBatch


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "municipality", "robot_slug", "channel", "masked", "status")
    list_filter = ("status", "channel", "robot_slug")
    fields = (
        "municipality",
        "robot_slug",
        "item",
        "channel",
        "masked",
        "language",
        "subject",
        "reference",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "failed_at",
        "posted_on",
        "error",
        "external_id",
        "print_batch",
    )
    readonly_fields = fields

    @admin.display(description=_("recipient"))
    def masked(self, obj: Delivery) -> str:
        return obj.masked_recipient

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "municipality", "robot_slug", "letters", "pages", "posted_on")
    readonly_fields = ("municipality", "robot_slug", "created_by", "letters", "pages", "posted_on")
    exclude = ("file",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
