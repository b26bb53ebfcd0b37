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
