"""Domain validation errors that name the field (and row), with an error code (STYLE §11)."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

__all__ = ["DomainError", "FieldError", "errors_from_django"]


@dataclass(frozen=True)
class FieldError:
    code: str
    field: str | None
    message: str
    row: int | None = None

    def as_dict(self) -> dict:
        data = {"code": self.code, "field": self.field, "message": str(self.message)}
        if self.row is not None:
            data["row"] = self.row
        return data


class DomainError(Exception):
    """Raised by services when input breaks a rule; carries one or more field errors."""

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def one(cls, code: str, field: str | None, message: str) -> DomainError:
        return cls([FieldError(code, field, str(message))])


def errors_from_django(exc: ValidationError, *, prefix: str = "validation") -> list[FieldError]:
    out: list[FieldError] = []
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for err in errs:
                code = err.code or "invalid"
                msg = err.message % err.params if err.params else err.message
                out.append(FieldError(f"{prefix}.{code}", None if field == "__all__" else field, str(msg)))
    else:
        for err in exc.error_list:
            msg = err.message % err.params if err.params else err.message
            out.append(FieldError(f"{prefix}.{err.code or 'invalid'}", None, str(msg)))
    return out
