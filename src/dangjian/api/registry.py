"""The registered operations of a NinjaAPI, for the meta-tests and the start-up checks."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ninja import NinjaAPI

from dangjian.core.api import declared_perm

__all__ = ["OperationInfo", "iter_operations"]


@dataclass(frozen=True)
class OperationInfo:
    operation_id: str
    method: str
    path: str  # below the API root, ninja notation: "/members/{member_id}"
    perm: str | None
    operation: Any  # ninja.operation.Operation

    @property
    def public(self) -> bool:
        return not self.operation.auth_callbacks

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(?:\w+:)?(\w+)}", self.path)


def iter_operations(api: NinjaAPI) -> Iterator[OperationInfo]:
    """Every operation as bound to *api* (auth, tags and decorators applied), in URL order."""
    # ninja 1.7 keeps the bound routers behind a private accessor; the version is pinned (<1.8).
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = "/" + "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
            for op in path_view.operations:
                op_id = op.operation_id or api.get_openapi_operation_id(op)
                for method in op.methods:
                    yield OperationInfo(op_id, method, full, declared_perm(op.view_func), op)
