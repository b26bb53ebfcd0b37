"""Model fields of the kernel."""
from __future__ import annotations

from django.db import models

from dangjian.core import crypto
from dangjian.core.text import TextHygieneValidator, normalize_text

__all__ = ["CleanCharField", "EncryptedBinaryField", "EncryptedTextField"]


class CleanCharField(models.CharField):
    """A name, code or reference: NFC-normalised when the model is cleaned, and refused (a field error
    from ``full_clean``) when it holds control or bidi-control characters or only invisible ones
    (issue 7, defect 8; see :mod:`dangjian.core.text`).

    Deconstructs as a plain ``CharField`` without the validator: the column is unchanged, so switching
    a field to this class needs no migration.
    """

    default_validators = [TextHygieneValidator()]

    def to_python(self, value):
        return normalize_text(super().to_python(value))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


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


class EncryptedBinaryField(models.BinaryField):
    """Stores bytes encrypted with SM4-GCM (the field key, ``core.crypto.encrypt_bytes``); Python sees
    plaintext. For files that hold personal data, such as uploaded member lists (issue 7 §4). Empty
    bytes stay empty (a forgotten file)."""

    def from_db_value(self, value, expression, connection):
        if value is None or len(value) == 0:
            return b"" if value is not None else None
        return crypto.decrypt_bytes(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None and len(value) > 0:
            value = crypto.encrypt_bytes(value)
        return super().get_db_prep_value(value, connection, prepared)
