"""The e-mail notice that a greeting is ready. It names no person: an e-mail may carry no
personal data, so the greeting itself stays in the platform, behind sign-in."""

from __future__ import annotations

from typing import Any

from kuntarobo.sdk import ApplicationException, BusinessException, ItemView, RunContext
from kuntarobo.sdk.channels import ChannelError, Content, Delivery, deliver

SUBJECTS = {"fi": "Tervehdys valmis", "sv": "Hälsningen är klar", "en": "A greeting is ready"}
BODIES = {
    "fi": "Lisärobotti teki tervehdyksen ({place}), työ {item}.",
    "sv": "Extraroboten gjorde en hälsning ({place}), arbete {item}.",
    "en": "The extra robot made a greeting ({place}), work item {item}.",
}


def send_notice(item: ItemView, context: RunContext, settings: dict[str, Any]) -> Delivery:
    """One notice per item, to the address in the municipality's settings, in its language."""
    language = settings["language"]
    own_text = settings["notice"].get(language, "")  # the municipality's words, if any
    body = BODIES[language].format(place=context.municipality_name, item=item.id)
    try:
        return deliver(
            municipality=context.municipality_slug,
            robot=context.robot_slug,
            channel="email",
            recipient=settings["recipient"],
            subject=SUBJECTS[language],
            content=Content(body=f"{own_text}\n\n{body}".strip(), personal=False),
            language=language,
            reference=f"notice-{item.id}",  # the same on a retry: never sent twice
            item=item,
        )
    except ChannelError as error:
        if error.retryable:  # the relay is down: the platform retries the item later
            raise ApplicationException(str(error)) from None
        raise BusinessException(str(error)) from None  # a person must fix the address
