"""Error codes of accounts."""
from enum import StrEnum

__all__ = ["AccountsError"]


class AccountsError(StrEnum):
    UNKNOWN_USER = "accounts.unknown_user"
    UNKNOWN_ROLE = "accounts.unknown_role"
    UNKNOWN_ORG = "accounts.unknown_org"
    SCOPE_NEEDS_ORG = "accounts.scope_needs_org"
    USERNAME_TAKEN = "accounts.username_taken"
    PASSWORD_WEAK = "accounts.password_weak"
    OTP_INVALID = "accounts.otp_invalid"
