"""Identity (用户), roles (角色) as permission sets, role assignments at an org with a data scope,
and API tokens."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.choices import Scope
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.orgs.models import Organization

__all__ = ["ApiToken", "Role", "RoleAssignment", "User"]


class User(AbstractUser):
    """用户: a login account. Linked to at most one member record (``member``)."""

    display_name = models.CharField(_("显示名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name or self.username


class Role(models.Model):
    """角色: a named set of permission codes (e.g. 支部书记 = view/change orgs and members)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("角色名称"), max_length=50, unique=True)
    permissions = models.JSONField(default=list)
    requires_mfa = models.BooleanField(_("须启用双因素认证"), default=False)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self) -> str:
        return self.name


class RoleAssignment(TimeStampedModel):
    """授权: a role given to a user at an organisation with a data scope (self / org / subtree / all)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments")
    scope = models.CharField(_("数据范围"), max_length=10, choices=Scope.choices, default=Scope.SUBTREE)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org", "scope"], name="roleassignment_unique"),
            models.CheckConstraint(condition=models.Q(scope="all") | models.Q(org__isnull=False),
                                   name="roleassignment_org_unless_all"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.org or _('全部')} ({self.get_scope_display()})"

    @classmethod
    def scope_self_q(cls, actor):
        return models.Q(user=actor)


class ApiToken(TimeStampedModel):
    """API 令牌: a bearer token for integrations; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
