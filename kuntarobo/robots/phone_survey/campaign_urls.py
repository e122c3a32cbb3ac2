"""The campaign pages' URLs (part of staff_urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
