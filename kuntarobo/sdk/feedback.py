"""Customer feedback for a robot's letters and e-mails: the municipality's public link to the
one-question survey ("how satisfied were you with how your matter was handled?", 1–5), for a
robot to print under its message. Loads models: call it where models may be loaded (a robot's
`handle`)."""

from __future__ import annotations

from kuntarobo.portfolio.feedback import customer_feedback_url


def feedback_url(municipality_id: int, robot_slug: str) -> str | None:
    """The absolute feedback link of `robot_slug` in the municipality, or None when the
    municipality has not switched customer feedback on for that robot (say nothing then)."""
    return customer_feedback_url(municipality_id, robot_slug)


__all__ = ["feedback_url"]
