"""The kernel half of the REST API: routers whose operations declare their permission (STYLE §5, §10).

Every domain app's ``api.py`` builds one :class:`Router` and declares on each operation

- ``perm``: the permission code it needs (``perm=MembersPerm.VIEW``), or :data:`SIGNED_IN` (any
  signed-in user, e.g. "who am I"), or :data:`PUBLIC` (no sign-in at all; such an operation must also
  be listed, with its reason, in ``dangjian.api.public.PUBLIC_OPERATIONS``);
- ``operation_id``, ``summary`` and ``description`` (the OpenAPI contract, STYLE §10);
- ``response``: the success schema; the error responses (401/403/404/422/400) are added here, from
  the shape of the operation, so every operation documents them the same way.

Handlers never check permissions. The ``api`` layer authenticates the caller and enforces the
declared permission before the input is parsed (a caller without the permission gets 403 whatever
they send); the handler's selectors then narrow to the caller's scope, so an object outside it is
"not found" (404), exactly like a missing one (STYLE §4).

The kernel knows no app and no authentication scheme: it only records the declaration (on the view
function, in the OpenAPI ``x-permission`` extension, and on each request as ``request.dangjian_perm``).
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import Field, Schema
from ninja import Router as NinjaRouter
from ninja.constants import NOT_SET
from ninja.decorators import decorate_view
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from dangjian.core.pagination import decode_cursor
from dangjian.core.parsing import MAX_ID  # ids in paths are bounded: a huge number is a 422

__all__ = [
    "MAX_ID",
    "PUBLIC",
    "SIGNED_IN",
    "ErrorOut",
    "FieldErrorOut",
    "PageQuery",
    "Router",
    "ValidationErrorOut",
    "declared_perm",
]

SIGNED_IN = "@signed_in"
PUBLIC = "@public"
PERM_ATTR = "dangjian_perm"
MAX_PAGE_SIZE = 200


class ErrorOut(Schema):
    """An error that is not about the input: not signed in (401), not permitted (403), not found (404)."""

    code: str = Field(..., examples=["auth.permission_denied"])
    message: str = Field(..., examples=["没有执行此操作的权限"])


class FieldErrorOut(Schema):
    code: str = Field(..., examples=["members.birth_date_mismatch"])
    field: str | None = Field(..., description="the input field (dotted for nested input); null: the whole request")
    message: str = Field(..., examples=["出生日期与身份证号码不符（身份证为 1990-01-01）"])
    row: int | None = Field(None, description="1-based row number, for imports")


class ValidationErrorOut(Schema):
    """The input was refused (422); each error names its field. Nothing was written."""

    errors: list[FieldErrorOut]


class PageQuery(Schema):
    """Keyset pagination: pass the previous page's ``next_cursor`` to get the next page."""

    cursor: str | None = Field(None, max_length=64, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="page size")

    @field_validator("cursor")
    @classmethod
    def _cursor_is_ours(cls, value: str | None) -> str | None:
        if value and decode_cursor(value) is None:
            raise PydanticCustomError("cursor_invalid", "invalid cursor")
        return value or None


def declared_perm(view_func: Callable) -> str | None:
    """The permission an operation's view function declared (None when it was not declared)."""
    return getattr(view_func, PERM_ATTR, None)


def _mark_request(perm: str) -> Callable:
    """Wraps ``Operation.run``: tells the authenticators which permission this operation declared."""

    def decorator(run: Callable) -> Callable:
        @functools.wraps(run)
        def wrapped(request, *args, **kwargs):
            request.dangjian_perm = perm
            return run(request, *args, **kwargs)

        return wrapped

    return decorator


def _error_responses(path: str, methods: list[str], view_func: Callable, perm: str) -> dict[int, Any]:
    params = list(inspect.signature(view_func).parameters)[1:]  # after `request`
    out: dict[int, Any] = {}
    if perm != PUBLIC:
        out[401] = ErrorOut
        out[403] = ErrorOut
    if "{" in path:
        out[404] = ErrorOut
    if set(methods) & {"POST", "PUT", "PATCH"}:
        out[400] = ErrorOut  # the body is not JSON
    if params:
        out[422] = ValidationErrorOut
    return out


class Router(NinjaRouter):
    """A ninja router for one app: tagged with the app name; every operation declares its permission."""

    def __init__(self, *, app: str) -> None:
        super().__init__(tags=[app])
        self.app = app

    def get(self, path: str, **kwargs: Any) -> Callable:  # type: ignore[override]
        return self.api_operation(["GET"], path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable:  # type: ignore[override]
        return self.api_operation(["POST"], path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable:  # type: ignore[override]
        return self.api_operation(["PATCH"], path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable:  # type: ignore[override]
        return self.api_operation(["PUT"], path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable:  # type: ignore[override]
        return self.api_operation(["DELETE"], path, **kwargs)

    def api_operation(  # type: ignore[override]
        self,
        methods: list[str],
        path: str,
        *,
        perm: str,
        operation_id: str,
        summary: str,
        description: str,
        response: Any,
        status: int = 200,
        **kwargs: Any,
    ) -> Callable:
        if not perm or not isinstance(perm, str):
            raise ImproperlyConfigured(f"{operation_id}: declare perm= (a permission code, SIGNED_IN or PUBLIC)")
        if not (operation_id and summary and description and description.strip()):
            raise ImproperlyConfigured(f"{path}: operation_id, summary and description are required (STYLE §10)")
        if "auth" in kwargs:
            raise ImproperlyConfigured(f"{operation_id}: authentication follows from perm=, do not pass auth=")
        if isinstance(response, dict):
            raise ImproperlyConfigured(
                f"{operation_id}: response= takes the success schema and status= its code; "
                "the error responses are added by the router"
            )
        extra = {**(kwargs.pop("openapi_extra", None) or {}), "x-permission": perm}

        def decorator(view_func: Callable) -> Callable:
            setattr(view_func, PERM_ATTR, perm)
            decorate_view(_mark_request(perm))(view_func)
            responses = {status: response, **_error_responses(path, methods, view_func, perm)}
            self.add_api_operation(
                path,
                methods,
                view_func,
                auth=None if perm == PUBLIC else NOT_SET,
                response=responses,
                operation_id=operation_id,
                summary=summary,
                description=inspect.cleandoc(description),
                openapi_extra=extra,
                **kwargs,
            )
            return view_func

        return decorator
