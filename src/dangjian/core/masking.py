"""Masking of sensitive values for display and for audit snapshots."""
from __future__ import annotations

__all__ = ["mask_id_number", "mask_phone", "mask_value"]


def mask_id_number(value: str | None) -> str:
    """``510104199001011234`` → ``5101**********123X`` style: first 4 and last 4 kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_value(kind: str, value: str | None) -> str:
    return {"id_number": mask_id_number, "phone": mask_phone}.get(kind, lambda v: "***" if v else "")(value)
