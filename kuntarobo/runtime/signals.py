"""Signals the runtime sends for the apps above it, which the runtime may not import: an app
connects a receiver instead (e.g. the portfolio refreshes its figures on the scheduler's pass)."""

from django.dispatch import Signal

# Sent after each pass of the scheduler with `state`, a dict that lives between passes (a
# receiver keeps there when it last did its work). A receiver must be quick or rate-limit itself;
# an exception is logged and the schedules go on.
scheduler_pass_done = Signal()
