"""URLs of the web UI. tests/web/test_permissions.py has a case for every name here."""

from django.contrib.auth import views as auth_views
from django.urls import path

from kuntarobo.accounts import views as accounts_views
from kuntarobo.web.views import (
    audit,
    caught_mail,
    dashboard,
    delegations,
    health,
    items,
    robot_settings,
    robots,
    runs,
)

urlpatterns = [
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health", health.health, name="health"),
    path("", dashboard.dashboard, name="dashboard"),
    path("robots/", robots.robot_list, name="robot_list"),
    path("robots/<slug:slug>/", robots.robot_detail, name="robot_detail"),
    path("robots/<slug:slug>/start/", robots.robot_start, name="robot_start"),
    path(
        "robots/<slug:slug>/settings/<slug:municipality>/",
        robots.robot_settings,
        name="robot_settings",
    ),
    path(
        "robots/<slug:slug>/municipal-settings/<slug:municipality>/",
        robot_settings.municipal_settings,
        name="robot_municipal_settings",
    ),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("items/<int:pk>/", items.item_detail, name="item_detail"),
    path("items/<int:pk>/documents/<int:document>/", items.item_document, name="item_document"),
    path("items/<int:pk>/approve/", items.item_approve, name="item_approve"),
    path("items/<int:pk>/reject/", items.item_reject, name="item_reject"),
    path("items/<int:pk>/correct/", items.item_correct, name="item_correct"),
    path("items/<int:pk>/retry/", items.item_retry, name="item_retry"),
    path("items/<int:pk>/abandon/", items.item_abandon, name="item_abandon"),
    path("items/<int:pk>/resume/", items.item_resume, name="item_resume"),
    path("inbox/", items.inbox, name="inbox"),
    path("inbox/approve/", items.inbox_approve, name="inbox_approve"),
    path("inbox/approve-ordinary/", items.inbox_approve_ordinary, name="inbox_approve_ordinary"),
    path("audit/", audit.audit_list, name="audit"),
    path("delegations/", delegations.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", delegations.delegation_end, name="delegation_end"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
    # The demo's caught e-mail: 404 wherever no mail catcher is configured.
    path("demo-mail/", caught_mail.caught_mail_list, name="caught_mail"),
    path(
        "demo-mail/<str:message_id>/", caught_mail.caught_mail_message, name="caught_mail_message"
    ),
    path(
        "demo-mail/<str:message_id>/attachments/<int:index>/",
        caught_mail.caught_mail_attachment,
        name="caught_mail_attachment",
    ),
]
