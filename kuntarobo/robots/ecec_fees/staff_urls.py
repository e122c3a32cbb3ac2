"""The staff pages of the fee robot, under /robots/ecec_fees/ next to the robot's own page."""

from django.urls import URLPattern, path

from kuntarobo.robots.ecec_fees import parameter_views, staff_views

app_name = "ecec_fees_staff"

urlpatterns: list[URLPattern] = [
    path("decisions/", staff_views.decisions, name="decisions"),
    path("decisions/<int:pk>/pdf", staff_views.decision_pdf, name="decision_pdf"),
    path("decisions/<int:pk>/copies/<int:guardian>/pdf", staff_views.copy_pdf, name="copy_pdf"),
    path("print-batches/", staff_views.make_print_batch, name="make_print_batch"),
    path("print-batches/<int:pk>/pdf", staff_views.print_batch_pdf, name="print_batch_pdf"),
    path("parameters/", parameter_views.parameters, name="parameters"),
    path("print-batches/<int:pk>/posted", staff_views.mark_posted, name="mark_posted"),
]
