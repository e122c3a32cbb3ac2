"""What each role sees of a work item and a run: the one rule the web pages, the JSON API and
anything else that shows items follow, so that no entry point shows what another hides.

Pure Python (no Django): the caller says in which municipalities the user may see personal data
and technical details (`kuntarobo.runtime.personal_data.sight_for` asks the database).

- Personal data (the title, the points needing attention, the review note, the input, the
  robot's proposal and reasoning, documents) only where the role grants `view_personal_data`.
  Without it the title is hidden (pages show a neutral "Item 123"), the attention points are
  reduced to their count and the rest is left out.
- The reference identifies the item to everyone, with identity codes masked: an identity code
  used as a family id is personal data. Only a full view (an item's own page, the review inbox)
  shows it unmasked, and only with `view_personal_data`.
- Overviews (a run's items, the API's list) mask identity codes even for those who may open the
  item, in the reference, the title and the notes alike.
- The error that stopped the robot is for those who see personal data or technical details
  (`view_logs`), masked for the latter; a run's log only for the latter, always masked. Robots
  write both for developers: references, never names.
- A run's parameters and figures are for everyone; its input file's name is masked unless the
  user sees personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from kuntarobo.core.localized import pick
from kuntarobo.core.masking import mask_identity_codes, mask_value


class ItemFields(Protocol):
    """The fields of a work item this rule reads (a `WorkItem` has them all)."""

    pk: Any
    municipality_id: int
    reference: str
    title: str
    attention: Any
    review_note: str
    error_message: str
    payload: Any
    output: Any
    explanation: Any


class RunFields(Protocol):
    municipality_id: int
    input_name: str


@dataclass(frozen=True)
class Sight:
    """The municipalities (ids) in which a user sees personal data, and technical details."""

    personal: frozenset[int] = frozenset()
    technical: frozenset[int] = frozenset()
    # The reader's language: texts kept in every language are shown in it (`core.localized`).
    language: str = "fi"

    def sees_personal_data(self, municipality_id: int) -> bool:
        return municipality_id in self.personal

    def sees_technical_details(self, municipality_id: int) -> bool:
        return municipality_id in self.technical

    def item(self, item: ItemFields, *, full: bool = False) -> ItemView:
        """The item as this user may see it; `full` for its own page and the review inbox."""
        return ItemView(
            item=item,
            personal=self.sees_personal_data(item.municipality_id),
            technical=self.sees_technical_details(item.municipality_id),
            full=full,
            language=self.language,
        )

    def items(self, items: Iterable[ItemFields], *, full: bool = False) -> list[ItemView]:
        return [self.item(item, full=full) for item in items]

    def log_message(self, run: RunFields, message: str) -> str | None:
        """A run's log is for those who see technical details, and never shows an identity
        code (it is masked when written; shown masked again for lines written before)."""
        if not self.sees_technical_details(run.municipality_id):
            return None
        return mask_identity_codes(pick(message, self.language))

    def input_name(self, run: RunFields) -> str:
        """An input file's name may name a person: identity codes masked without the right."""
        if self.sees_personal_data(run.municipality_id):
            return run.input_name
        return mask_identity_codes(run.input_name)


@dataclass(frozen=True)
class ItemView:
    """One item's fields as one user may see them; None where a field is hidden."""

    item: ItemFields
    personal: bool
    technical: bool
    full: bool = False
    language: str = "fi"

    @property
    def pk(self) -> Any:
        return self.item.pk

    def _text(self, value: str) -> str:
        return value if self.full else mask_identity_codes(value)

    @property
    def reference(self) -> str:
        if self.personal:
            return self._text(self.item.reference)
        return mask_identity_codes(self.item.reference)

    @property
    def title(self) -> str | None:
        return self._text(pick(self.item.title, self.language)) if self.personal else None

    @property
    def attention(self) -> list[str] | None:
        if not self.personal:
            return None
        lines = [pick(line, self.language) for line in self.item.attention or ()]
        return lines if self.full else [mask_identity_codes(line) for line in lines]

    @property
    def attention_count(self) -> int:
        return len(self.item.attention or ())

    @property
    def review_note(self) -> str | None:
        return self._text(self.item.review_note) if self.personal else None

    @property
    def error_message(self) -> str | None:
        error = pick(self.item.error_message, self.language)
        if self.personal:
            return self._text(error)
        if self.technical:
            return mask_identity_codes(error)
        return None

    @property
    def payload(self) -> Any:
        return self._data(self.item.payload)

    @property
    def output(self) -> Any:
        return self._data(self.item.output)

    @property
    def explanation(self) -> Any:
        lines = self.item.explanation
        if isinstance(lines, list):
            lines = [pick(line, self.language) for line in lines]
        return self._data(lines)

    @property
    def shows_documents(self) -> bool:
        return self.personal

    def _data(self, value: Any) -> Any:
        if not self.personal:
            return None
        return value if self.full else mask_value(value)
