"""An explanation line of a pure rule (a business case, a suitability score, a traffic light):
English text with %(name)s parameters, translated by the caller through its message catalogue,
so the pure modules stay free of Django and every reader gets the line in their language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line: the English msgid and its parameters, already formatted."""

    text: str
    params: Mapping[str, str] = field(default_factory=dict)

    def english(self) -> str:
        return self.text % dict(self.params)
