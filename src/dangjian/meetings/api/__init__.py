"""REST endpoints of organisational life (组织生活) and elections (换届选举): meeting kinds and cadence
rules, meetings (plan, record with the roll call, edit, cancel, minutes, follow-ups, the one-time
check-in code), my meetings and self check-in, cadence compliance, recurring series, committee terms
(status, postponement) and elections (record, approve).

Reads go through selectors, writes through services; each operation declares its permission. A meeting,
series, term or election outside the caller's scope is "not found" (404 in the path); an org or member
outside it is refused in the input exactly like an unknown one (422). Attachments are uploaded on the
web page (multipart); here they are listed with their download address.

The operations are registered in this order (collection paths before ``/{meeting_id}``), one module per
part of the page.
"""
import importlib

from dangjian.meetings.api.common import router

for _part in ("collection", "series", "elections", "detail"):  # the order of the OpenAPI document
    importlib.import_module(f"{__name__}.{_part}")

__all__ = ["router"]
