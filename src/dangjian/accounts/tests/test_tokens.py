"""API tokens: the lookup only reads; marking a token used is a throttled write of its own (issue 8)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.credentials import token_lookup
from dangjian.accounts.models import ApiToken
from dangjian.accounts.services import TOKEN_TOUCH_SECONDS, apitoken_create, apitoken_touch

pytestmark = pytest.mark.django_db


def test_the_lookup_writes_nothing(user_factory):
    # given
    _row, token = apitoken_create(actor=None, user=user_factory("erp"))
    # when
    with CaptureQueriesContext(connection) as queries:
        found = token_lookup(token)
    # then
    assert found is not None and found.user.username == "erp"
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    assert ApiToken.objects.get().last_used_at is None


def test_touch_writes_at_most_once_per_interval(user_factory):
    # given
    row, _token = apitoken_create(actor=None, user=user_factory("erp"))
    start = timezone.now()
    # when
    first = apitoken_touch(token=row, now=start)
    again = apitoken_touch(token=row, now=start + dt.timedelta(seconds=TOKEN_TOUCH_SECONDS))
    later = apitoken_touch(token=row, now=start + dt.timedelta(seconds=TOKEN_TOUCH_SECONDS + 1))
    # then
    assert (first, again, later) == (True, False, True)
    assert ApiToken.objects.get().last_used_at == start + dt.timedelta(seconds=TOKEN_TOUCH_SECONDS + 1)
