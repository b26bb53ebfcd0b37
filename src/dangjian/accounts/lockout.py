"""django-axes lockout response: a clear page (or JSON for the API) instead of a bare 403."""
from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

__all__ = ["lockout_response"]


def lockout_response(request, credentials, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    message = _("该账号因多次登录失败已被暂时锁定，请 %(m)s 分钟后再试或联系管理员。") % {"m": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "accounts.locked", "message": message}, status=429)
    return render(request, "web/locked.html", {"message": message}, status=429)
