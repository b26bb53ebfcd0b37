"""The dues rule-set versions page (issue 8, point 5): list, a form prefilled from the current version,
field errors per bracket row with nothing written, an audited add."""
import re

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.dues.models import DuesRuleSet
from tests.fixtures import db_state, signin

pytestmark = pytest.mark.django_db


def _form_data(html: str) -> dict[str, str]:
    """The form's fields as the browser would post them (inputs, selected options, textareas)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name in re.findall(r'<input[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else re.search(r'<option value="([^"]*)"', body).group(1)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    data.pop("csrfmiddlewaretoken", None)
    return {k: v for k, v in data.items() if not k.endswith("-DELETE")}


@pytest.fixture
def admin(client, user_factory):
    return signin(client, user_factory("root", "sysadmin", None, scope="all"))


def test_the_form_is_prefilled_from_the_current_version_and_adds_one(client, admin):
    # given
    page = client.get("/dues/rules/add/")
    html = page.content.decode()
    assert page.status_code == 200
    data = _form_data(html)
    assert data["base_mode"] == "annual" and data["monthly_cap"] == "1000.00"
    assert data["brackets-TOTAL_FORMS"] == "20" and data["brackets-3-rate_percent"] == "2"
    # when: only the version, its name and date, and the top rate change
    data.update({"version": "2031", "name": "新规定", "effective_from": "2031-01-01", "brackets-3-rate_percent": "2.5"})
    response = client.post("/dues/rules/add/", data)
    # then
    assert response.status_code == 302 and response["Location"] == "/dues/rules/"
    added = DuesRuleSet.objects.get(version="2031")
    assert added.brackets.count() == 18
    assert str(added.brackets.get(category="in_service", upper__isnull=True).rate) == "0.0250"
    assert AuditEntry.objects.filter(action="dues.rule_set_add", actor_id=admin.pk).count() == 1
    listing = client.get("/dues/rules/").content.decode()
    assert 'data-rule-set="2031"' in listing and 'href="/dues/rules/"' in listing and "2031-01-01 起" in listing


def test_an_overlapping_date_and_a_bad_row_are_shown_at_their_fields(client, admin):
    data = _form_data(client.get("/dues/rules/add/").content.decode())
    data.update({"version": "2031", "name": "新规定", "effective_from": "2017-01-01", "brackets-1-lower": "3500"})
    before = db_state()
    response = client.post("/dues/rules/add/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert db_state() == before
    assert re.search(r'data-field-error="effective_from">与党费标准 2017（2017-01-01 起）的施行期重叠', html)
    # the row's own check passes; the gap shows once the date is fine
    data["effective_from"] = "2031-01-01"
    html = client.post("/dues/rules/add/", data).content.decode()
    assert 'data-field-error="lower">第 2 行：“在职”的基数下限应等于上一档的上限 3000.00 元' in html
    assert db_state() == before


def test_a_percent_that_is_not_a_number_is_refused_by_the_form(client, admin):
    data = _form_data(client.get("/dues/rules/add/").content.decode())
    data.update({"version": "2031", "name": "新规定", "effective_from": "2031-01-01", "brackets-0-rate_percent": "x"})
    before = db_state()
    response = client.post("/dues/rules/add/", data)
    assert response.status_code == 400
    assert 'data-field-error="rate_percent">比例应为数字' in response.content.decode()
    assert db_state() == before


def test_the_pages_need_dues_configure(client, user_factory, tree):
    signin(client, user_factory("dept", "org_dept", tree["G"], scope="subtree"))
    assert client.get("/dues/rules/").status_code == 403
    assert client.get("/dues/rules/add/").status_code == 403
    assert 'href="/dues/rules/"' not in client.get("/dues/calculator/").content.decode()
