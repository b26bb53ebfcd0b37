"""What the accounts app brings: the permission to manage accounts and grants, and the names of the
roles and data scopes shown on screen (core.declarations).

The roles themselves (codes, names, MFA) are defined in ``accounts.choices.ROLES``."""
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.choices import AccountsPerm, Scope
from dangjian.core.declarations import Labels, Permission

__all__ = ["DEFAULT_GRANTS", "LABELS", "PERMISSIONS"]

# The default roles' names (accounts.choices.ROLES, translated); a role an administrator adds shows its
# stored name. The label-registry test keeps this equal to ROLES.
ROLE_NAMES = {
    "sysadmin": _("系统管理员"),
    "org_dept": _("组织部"),
    "committee_secretary": _("党委书记"),
    "branch_secretary": _("支部书记"),
    "party_worker": _("党务工作者"),
    "auditor": _("审计员"),
    "member": _("党员"),
}

LABELS = [Labels("role", ROLE_NAMES), Labels("scope", dict(Scope.choices))]

PERMISSIONS = [Permission(AccountsPerm.MANAGE, _("管理账号与授权"))]

DEFAULT_GRANTS = {"org_dept": [AccountsPerm.MANAGE]}
