"""Test settings: same apps, fast hashing, in-memory email, DB from DATABASE_URL (SQLite by default)."""
import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "t" * 40)
os.environ.setdefault("DANGJIAN_FIELD_KEY", "00112233445566778899aabbccddeeff")
os.environ.setdefault("DANGJIAN_BLIND_INDEX_KEY", "ffeeddccbbaa99887766554433221100")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from dangjian.settings import *  # noqa: F403
from dangjian.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {}
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# A test-only app declaring a permission, grants, a menu entry and a scheduled task in its own files
# (tests/declapp): proves that adding an app needs no edit elsewhere (core.declarations).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.declapp"]  # noqa: F405
