"""The one list of operations reachable without signing in (STYLE §5), each with its reason.

An operation declares ``perm=PUBLIC`` *and* appears here; ``dangjian.api.urls`` refuses to start when
the two disagree, and the authorization meta-test checks anonymous callers get 401 everywhere else.
The OpenAPI document and the docs page (``/api/v1/openapi.json``, ``/api/v1/docs``) are public as well:
the contract of this open-source project is committed as ``openapi.json`` and holds no data.
"""
from __future__ import annotations

from ninja import Schema

from dangjian.api import API_VERSION
from dangjian.core.api import PUBLIC, Router

__all__ = ["PUBLIC_OPERATIONS", "router"]

PUBLIC_OPERATIONS: dict[str, str] = {
    "api_ping": "reachability and API version for load balancers and clients before they sign in; returns no data",
}

router = Router(app="api")


class PingOut(Schema):
    status: str
    version: str


@router.get(
    "/ping",
    perm=PUBLIC,
    response=PingOut,
    operation_id="api_ping",
    summary="检查 API 是否可用",
    description="无需登录。返回 API 版本，用于负载均衡健康检查和客户端在登录前确认服务可达；不返回任何业务数据。",
)
def ping(request):
    return {"status": "ok", "version": API_VERSION}
