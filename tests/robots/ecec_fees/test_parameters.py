"""Adding and correcting the act's dated parameter rows."""

from __future__ import annotations

import datetime

import pytest

from kuntarobo.audit.models import AuditEvent
from kuntarobo.robots.ecec_fees import actions as fee_actions
from kuntarobo.robots.ecec_fees.models import FeeParameterRow
from kuntarobo.runtime.declarations import InputError
from tests.factories import UserFactory

AUGUST_2026 = datetime.date(2026, 8, 1)


def figures(two: int) -> dict:
    return {
        "income_percentage": "10.7",
        "income_thresholds": {str(n): two + (n - 2) * 100000 for n in range(2, 7)},
        "threshold_increase_per_further_child": 28000,
        "max_fee": 33500,
        "min_fee": 3200,
        "sibling_percentages": [100, 40, 20],
    }


@pytest.fixture
def superuser(db):
    return UserFactory(username="root-user", is_superuser=True)


def test_a_typing_error_in_a_row_no_decision_used_is_corrected_and_the_old_figures_audited(
    superuser,
):
    fee_actions.add_parameter_row(superuser, figures(400000), valid_from=AUGUST_2026, source="a")
    fee_actions.add_parameter_row(superuser, figures(420000), valid_from=AUGUST_2026, source="b")
    row = FeeParameterRow.objects.get(valid_from=AUGUST_2026)
    assert row.income_thresholds["2"] == 420000
    last = AuditEvent.objects.filter(action="ecec_fees.parameters_add").order_by("pk").last()
    assert last.details["replaced"]["income_thresholds"]["2"] == 400000


def test_a_bad_parameter_file_names_the_field_instead_of_crashing(superuser):
    with pytest.raises(InputError) as refused:
        fee_actions.add_parameter_row(
            superuser, {"income_percentage": "10.7"}, valid_from=AUGUST_2026, source="x"
        )
    assert refused.value.field
    assert refused.value.field in str(refused.value)
    assert not FeeParameterRow.objects.get(valid_from=AUGUST_2026).complete
