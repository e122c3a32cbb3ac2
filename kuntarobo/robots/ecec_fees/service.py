"""The calculator's link to the stored parameters, shared by the CLI, the API and the public
fee-estimate page."""

from __future__ import annotations

import datetime
from typing import Any

from kuntarobo.robots.ecec_fees import calculator, fees
from kuntarobo.robots.ecec_fees.models import FeeParameterRow


def stored_parameters(day: datetime.date) -> fees.FeeParameters:
    """The act's parameters in force on the day, or an error naming the date."""
    row = FeeParameterRow.objects.in_force_on(day)
    if row is None:
        raise calculator.CalculatorInputError(
            "date", f"no stored ECEC fee parameters are in force on {day.isoformat()}"
        )
    try:
        return row.as_parameters()
    except ValueError as error:
        raise calculator.CalculatorInputError("date", str(error)) from None


def calculate(data: Any) -> dict[str, Any]:
    return calculator.calculate_json(data, stored_parameters)
