"""The project's own lint rules: their examples behave, and the tree obeys them."""
import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("lint_rules", Path(__file__).parent.parent / "scripts" / "lint_rules.py")
lint_rules = importlib.util.module_from_spec(_spec)
sys.modules["lint_rules"] = lint_rules
_spec.loader.exec_module(lint_rules)


def test_every_rule_has_good_and_bad_examples_that_behave():
    assert all(rule.good and rule.bad for rule in lint_rules.RULES)
    assert lint_rules.check_examples() == []


def test_a_planted_violation_is_found(tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "views.py").write_text("x = Member.objects.filter(org=1)\n", encoding="utf-8")
    findings = lint_rules.scan(tmp_path)
    assert findings == ["src/dangjian/web/views.py:1: DJ-SCOPE " + lint_rules.RULES[0].message]


def test_source_tree_obeys_the_rules():
    assert lint_rules.scan() == []


def test_the_layers_are_obeyed_by_every_module_and_template():
    assert lint_rules.scan_levels() == []


def test_an_upward_import_or_url_and_an_app_without_a_level_are_found(tmp_path):
    # given: orgs' views import members, an accounts template links to a dues page, a new app has no level
    for folder in ("orgs", "accounts/templates/accounts", "newapp", "members"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "orgs" / "views.py").write_text("from dangjian.members.selectors import member_list\n"
                                                "from dangjian.core.scoping import resolver\n", encoding="utf-8")
    (tmp_path / "accounts" / "templates" / "accounts" / "p.html").write_text(
        "<a href=\"{% url 'dues:bills' %}\">x</a><a href=\"{% url 'orgs:tree' %}\">y</a>\n", encoding="utf-8")
    (tmp_path / "newapp" / "models.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "members" / "views.py").write_text("from dangjian.orgs.selectors import org_get\n", encoding="utf-8")
    # when
    findings = [f.split(" DJ-LEVELS ")[0] + " " + f.split(" DJ-LEVELS ")[1].split(":")[0] for f in
                lint_rules.scan_levels(tmp_path)]
    # then
    assert findings == [
        "src/dangjian/accounts/templates/accounts/p.html:1: accounts (level 3) uses dues (level 5)",
        "src/dangjian/newapp/models.py:1: app 'newapp' has no level",
        "src/dangjian/orgs/views.py:1: orgs (level 2) uses members (level 4)",
    ]


def test_the_scope_rule_covers_view_and_api_packages(tmp_path):
    for folder in ("meetings/views", "meetings/api"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "part.py").write_text("x = Meeting.objects.get(pk=1)\n", encoding="utf-8")
    assert [f.split(": ")[0] for f in lint_rules.scan(tmp_path)] == [
        "src/dangjian/meetings/api/part.py:1", "src/dangjian/meetings/views/part.py:1"]
