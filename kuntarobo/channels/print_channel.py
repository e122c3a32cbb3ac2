"""Printed letters: each letter waits (status queued) until a print batch gathers the waiting
letters of a municipality into one PDF for its print service; marking the batch posted gives
each letter its posted date, which is what the law counts notification from."""

from __future__ import annotations

import io
import secrets

import pypdf
from django.core.files.base import ContentFile
from pypdf.errors import PdfReadError

from kuntarobo.channels.addresses import AddressKind
from kuntarobo.channels.base import Channel, ChannelError, Outgoing, SendResult, register


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def combine(pdfs: list[bytes]) -> bytes:
    """The letters in one PDF, each starting on an odd page: a blank page follows a letter
    with an odd page count, so duplex printing never puts two recipients on one sheet."""
    writer = pypdf.PdfWriter()
    for pdf in pdfs:
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        if len(writer.pages) % 2 == 1:
            last = writer.pages[-1].mediabox
            writer.add_blank_page(width=last.width, height=last.height)
        for page in reader.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@register
class PrintChannel(Channel):
    name = "print"
    address_kind = AddressKind.POSTAL_ADDRESS
    carries_personal_data = True

    def send(self, outgoing: Outgoing) -> SendResult:
        document = outgoing.content.document
        if document is None or document.content_type != "application/pdf":
            raise ChannelError("a printed letter needs its document as a PDF", retryable=False)
        try:
            pages = page_count(document.content)
        except (PdfReadError, ValueError, OSError) as error:
            raise ChannelError(
                f"the letter's PDF cannot be read: {type(error).__name__}", retryable=False
            ) from None
        if pages == 0:
            raise ChannelError("the letter's PDF has no pages", retryable=False)
        delivery = outgoing.delivery
        if not delivery.document:
            delivery.document.save(
                f"{secrets.token_hex(8)}.pdf", ContentFile(document.content), save=False
            )
        return SendResult(external_id="", queued=True, details={"pages": str(pages)})
