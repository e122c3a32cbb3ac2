"""When a party is deemed to have received a decision (tiedoksisaanti), by how it was sent.

- An ordinary letter: on the seventh day after it was posted, unless shown otherwise
  (hallintolaki 434/2003, 59 §).
- An electronic notice (Suomi.fi Messages): on the third day after the message was sent,
  unless shown otherwise (laki sähköisestä asioinnista viranomaistoiminnassa 13/2003, 19 §).

The 30-day period for a request for review is counted from that day; the day itself is not
counted. Other ways (service against receipt, public notice) have rules of their own and are
not computed here.
"""

from __future__ import annotations

import datetime
from enum import StrEnum


class NoticeKind(StrEnum):
    LETTER = "letter"
    ELECTRONIC = "electronic"


DAYS_UNTIL_DEEMED_RECEIVED = {
    NoticeKind.LETTER: 7,  # 434/2003, 59 §
    NoticeKind.ELECTRONIC: 3,  # 13/2003, 19 §
}


def deemed_received(kind: NoticeKind, sent_on: datetime.date) -> datetime.date:
    """The day the party is deemed to have received a decision sent or posted on `sent_on`."""
    return sent_on + datetime.timedelta(days=DAYS_UNTIL_DEEMED_RECEIVED[kind])
