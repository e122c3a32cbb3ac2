"""An input past its limits (runtime.inputs) as an InputError in the reader's language, naming
the file, the file inside an archive and the limit; one wording for every robot."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.inputs import MAX_DATE, MIN_DATE, InputLimits, LimitExceeded, format_size
from kuntarobo.runtime.declarations import InputError

LIMIT_TEXTS: dict[str, Any] = {
    "total_bytes": _("%(file)s: the input is larger than %(limit)s unpacked (the limit)"),
    "member_bytes": _("%(file)s: %(member)s unpacks to more than %(limit)s (the limit)"),
    "members": _("%(file)s: the archive holds more than %(limit)s files (the limit)"),
    "rows": _("%(file)s: %(member)s has more than %(limit)s rows (the limit)"),
    "line_bytes": _("%(file)s: line %(line)s of %(member)s is longer than %(limit)s (the limit)"),
}


# For every form's date field: the same years the file readers accept.
DATE_VALIDATORS = (MinValueValidator(MIN_DATE), MaxValueValidator(MAX_DATE))


def input_limits() -> InputLimits:
    """The installation's limits (settings.KUNTAROBO_INPUT_LIMITS, from the environment)."""
    limits = getattr(settings, "KUNTAROBO_INPUT_LIMITS", None)
    return limits if isinstance(limits, InputLimits) else InputLimits.from_env()


def limit_input_error(error: LimitExceeded, file: str) -> InputError:
    """The refusal the person sees; nothing has been written when it is raised."""
    sized = error.limit in ("total_bytes", "member_bytes", "line_bytes")
    return InputError(
        LIMIT_TEXTS.get(error.limit, LIMIT_TEXTS["total_bytes"]),
        field="file",
        file=file,
        member=error.member or file,
        line=error.line,
        limit=format_size(error.maximum) if sized else f"{error.maximum:,}".replace(",", " "),
    )
