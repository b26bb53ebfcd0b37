"""A bounded schemathesis run over the whole OpenAPI document: no input answers 500 (issue 7, defect 6).

Every operation of the committed ``openapi.json`` (the drift test keeps it equal to what ninja serves)
gets a few generated requests, derandomized so a failure reproduces, sent through Django's WSGI app as
a system administrator holding every permission at the root (bearer token), so the real handlers run
past authentication and permission checks. Only ``not_a_server_error`` is checked: response-schema
conformance is the OpenAPI drift test's business. ``DANGJIAN_FUZZ_EXAMPLES`` raises the budget for a
deeper local run.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.fixtures import make_id_number

OPENAPI = Path(__file__).resolve().parents[1] / "openapi.json"
EXAMPLES = int(os.environ.get("DANGJIAN_FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_path(str(OPENAPI))
schema.app = get_wsgi_application()
# The coverage phase (every boundary value and every undeclared method of every operation) is
# unbounded by max_examples; fuzzing (valid and invalid inputs) and the schema's examples stay on.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def _keep_test_connection():
    """The WSGI app signals request start/end, whose handler closes the database connection; Django's
    test client disconnects it for the test's transaction to survive, and so must we."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(tree, user_factory, _keep_test_connection):
    """A sysadmin with a token, and one member so that member, dues and meeting handlers find data."""
    from dangjian.accounts.services import apitoken_create
    from dangjian.members.services import member_create

    member_create(actor=None, name="测试党员", gender="M", birth_date=dt.date(1980, 1, 1),
                  id_number=make_id_number(dt.date(1980, 1, 1), 101), phone="13800000001", category="full",
                  joined_on=dt.date(2005, 7, 1), full_member_on=dt.date(2006, 7, 1), org=tree["A1"])
    user = user_factory("fuzz-admin", "sysadmin", tree["G"])
    _row, token = apitoken_create(actor=None, user=user, name="fuzz")
    return f"Bearer {token}"


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_a_server_error(case, bearer):
    case.call_and_validate(headers={"Authorization": bearer}, checks=[not_a_server_error])
