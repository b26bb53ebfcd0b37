"""The REST API under /api/v1/: one NinjaAPI composed from the apps' routers (DESIGN layers).

Authentication is on for every operation (bearer token or session, see ``auth``); each operation's
declared permission is enforced before its input is parsed; errors have one shape (``errors``).
OpenAPI at ``/api/v1/openapi.json`` (committed as ``openapi.json``: ``dangjian openapi [--check]``)
and the Swagger page at ``/api/v1/docs``. The page's JavaScript and CSS are ninja's own copies, served
from ``/static/ninja/`` (``ninja`` is an installed app, so ninja renders its non-CDN template and
``collectstatic``/WhiteNoise serve the files): nothing is loaded from a CDN.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from dangjian.accounts.api import router as accounts_router
from dangjian.api import API_TITLE, API_VERSION
from dangjian.api.auth import DEFAULT_AUTH
from dangjian.api.errors import install_error_handlers
from dangjian.api.public import PUBLIC_OPERATIONS
from dangjian.api.public import router as public_router
from dangjian.api.registry import iter_operations
from dangjian.audit.api import router as audit_router
from dangjian.core.api import PUBLIC
from dangjian.development.api import router as development_router
from dangjian.dues.api import router as dues_router
from dangjian.health.api import router as health_router
from dangjian.integration.api import router as integration_router
from dangjian.meetings.api import router as meetings_router
from dangjian.members.api import router as members_router
from dangjian.orgs.api import router as orgs_router
from dangjian.transfers.api import router as transfers_router

__all__ = ["api", "build_api", "check_operations"]

DESCRIPTION = """智慧党建平台 REST API。

认证：`Authorization: Bearer <令牌>`（`dangjian apitoken 用户名` 签发），或浏览器会话（修改操作须带
`X-CSRFToken`）。每个操作声明所需权限（`x-permission`）；没有该权限返回 403，超出数据范围的对象与不存在
的对象一样返回 404。列表使用键集分页：`?limit=50&cursor=…`，响应 `{items, next_cursor}`。输入错误返回
422 `{"errors": [{"code", "field", "message"}]}`，消息默认中文，`Accept-Language: en` 时为英文。
"""


class Utf8JSONRenderer(JSONRenderer):
    """JSON with Chinese text as UTF-8, not ``\\uXXXX`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


def check_operations(api: NinjaAPI) -> None:
    """Start-up guard: every operation declared its permission; public ones are exactly the listed ones."""
    seen: set[str] = set()
    for info in iter_operations(api):
        if info.operation_id in seen:
            raise ImproperlyConfigured(f"duplicate operation_id {info.operation_id}")
        seen.add(info.operation_id)
        if info.perm is None:
            raise ImproperlyConfigured(f"{info.operation_id}: use dangjian.core.api.Router and declare perm=")
        listed = info.operation_id in PUBLIC_OPERATIONS
        if (info.perm == PUBLIC) != listed or info.public != listed:
            raise ImproperlyConfigured(
                f"{info.operation_id}: public operations must declare perm=PUBLIC and be listed in "
                "dangjian.api.public.PUBLIC_OPERATIONS (and only those)"
            )
    missing = set(PUBLIC_OPERATIONS) - seen
    if missing:
        raise ImproperlyConfigured(f"PUBLIC_OPERATIONS lists unknown operations: {sorted(missing)}")


class Docs(Swagger):
    """ninja's Swagger UI page (its own JavaScript and CSS), under a bar that leads back to the platform:
    the page is reached from the main menu and is not built on base.html."""

    template = "api/docs.html"


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title=API_TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        urls_namespace="api",
        auth=DEFAULT_AUTH,
        docs=Docs(settings={"persistAuthorization": False}),
        renderer=Utf8JSONRenderer(),
    )
    install_error_handlers(api)
    api.add_router("", public_router)
    api.add_router("", accounts_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/members", members_router)
    api.add_router("/development", development_router)
    api.add_router("/audit", audit_router)
    api.add_router("/dues", dues_router)
    api.add_router("/health", health_router)
    api.add_router("/meetings", meetings_router)
    api.add_router("/transfers", transfers_router)
    api.add_router("", integration_router)
    check_operations(api)
    return api


api = build_api()
