"""The report pages' URLs (part of staff_urls): a campaign's dashboard, its live panel, the
exports, the council's PDF and an open answer's recording."""

from django.urls import URLPattern, path, re_path

from kuntarobo.robots.phone_survey import report_views

urlpatterns: list[URLPattern] = [
    path("campaigns/<int:pk>/report/", report_views.dashboard, name="report"),
    path("campaigns/<int:pk>/report/live", report_views.live, name="report_live"),
    re_path(
        r"^campaigns/(?P<pk>\d+)/report/answers\.(?P<fmt>csv|xlsx)$",
        report_views.answers_export,
        name="report_answers",
    ),
    re_path(
        r"^campaigns/(?P<pk>\d+)/report/attempts\.(?P<fmt>csv|xlsx)$",
        report_views.attempts_export,
        name="report_attempts",
    ),
    path("campaigns/<int:pk>/report/council.pdf", report_views.council_pdf, name="report_pdf"),
    path(
        "campaigns/<int:pk>/report/recordings/<int:answer>",
        report_views.recording,
        name="report_recording",
    ),
]
