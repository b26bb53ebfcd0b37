"""What the accounts app brings: the permission to manage accounts and grants (core.declarations).

The roles themselves (codes, names, MFA) are defined in ``accounts.choices.ROLES``."""
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.choices import AccountsPerm
from dangjian.core.declarations import Permission

__all__ = ["DEFAULT_GRANTS", "PERMISSIONS"]

PERMISSIONS = [Permission(AccountsPerm.MANAGE, _("管理账号与授权"))]

DEFAULT_GRANTS = {"org_dept": [AccountsPerm.MANAGE]}
