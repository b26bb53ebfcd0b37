"""Model fields of the kernel."""
from __future__ import annotations

from django.db import models

from dangjian.core import crypto

__all__ = ["EncryptedTextField"]


class EncryptedTextField(models.TextField):
    """Stores text encrypted with SM4-GCM; Python sees plaintext. Not searchable: pair with a blind index."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
