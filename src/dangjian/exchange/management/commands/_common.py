"""Helpers shared by the exchange commands (``import``, ``export``, ``template``)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from dangjian.core.parsing import parse_id
from dangjian.core.scoping import SYSTEM
from dangjian.exchange.columns import Mapping
from dangjian.exchange.models import ExchangeProfile
from dangjian.orgs.models import Organization

__all__ = ["actor_for", "mapping_option", "org_option"]


def actor_for(username: str | None) -> Any:
    """The user named by ``--as`` (their grants and scope apply), or the system (scope: everything)."""
    if not username:
        return SYSTEM
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as: 没有名为 {username!r} 的有效用户")
    return user


def org_option(code: str | None, option: str = "--org") -> Organization | None:
    if not code:
        return None
    org = Organization.objects.filter(code=code.strip()).first()
    if org is None:
        raise CommandError(f"{option}: 组织代码 {code!r} 不存在")
    return org


def mapping_option(kind: str, ref: str | None) -> Mapping:
    if not ref:
        return Mapping.standard(kind)
    profile = ExchangeProfile.objects.filter(code=ref).first()
    if profile is None and parse_id(ref) is not None:
        profile = ExchangeProfile.objects.filter(pk=parse_id(ref)).first()
    if profile is None:
        codes = ", ".join(ExchangeProfile.objects.filter(kind=kind).values_list("code", flat=True))
        raise CommandError(f"--profile: 没有交换方案 {ref!r}（{kind} 可用：{codes or '无'}）")
    if profile.kind != kind:
        raise CommandError(f"--profile: {ref!r} 是 {profile.kind} 的方案，不适用于 {kind}")
    return Mapping(kind, profile.columns, name=profile.name)
