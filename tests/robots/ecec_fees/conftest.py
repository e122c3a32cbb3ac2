"""Transactional tests empty the database after each test, the migration's parameter rows too:
put the same rows back for every test that uses the database. Approved decisions may be deleted
only under the audit purge permit, which the database flush itself may remove first: delete
them under a permit before the flush, as the retention purge would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _statutory_parameter_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    if "django_db" not in request.keywords:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from kuntarobo.audit.models import AuditPurgePermit
    from kuntarobo.robots.ecec_fees.models import FeeDecision, FeeParameterRow, GuardianCopy
    from kuntarobo.robots.ecec_fees.statutory import row_values

    for values in row_values():
        FeeParameterRow.objects.get_or_create(valid_from=values["valid_from"], defaults=values)
    yield
    if FeeDecision.objects.exists():
        AuditPurgePermit.objects.create(reason="test database flush")
        GuardianCopy.objects.all().delete()
        FeeDecision.objects.all()._raw_delete(FeeDecision.objects.db)
