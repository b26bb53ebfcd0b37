"""dangjian settings: one module, configured from the environment (DESIGN: 12-factor)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import dj_database_url

from dangjian.core.security import DEFAULT_POLICY as DEFAULT_CSP
from dangjian.core.settings_loader import (
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    load_env_file,
    require,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("DANGJIAN_HOME", str(Path.cwd())) or ".").resolve()
VAR_DIR = BASE_DIR / "var"
load_env_file(VAR_DIR / "dangjian.env")

DEBUG = env_bool("DANGJIAN_DEBUG", False)
SECRET_KEY = require("SECRET_KEY", debug=DEBUG, fallback="dev-insecure-" + "x" * 40)
ALLOWED_HOSTS = env_list("DANGJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DANGJIAN_CSRF_TRUSTED_ORIGINS", [])

# Field encryption (SM4-GCM) and blind index (HMAC-SHA256) keys, hex. Mandatory unless DEBUG.
_dev_key = hashlib.sha256(SECRET_KEY.encode()).hexdigest()
FIELD_ENCRYPTION_KEY = require("DANGJIAN_FIELD_KEY", debug=DEBUG, fallback=_dev_key[:32])
BLIND_INDEX_KEY = require("DANGJIAN_BLIND_INDEX_KEY", debug=DEBUG, fallback=_dev_key[32:])
AUDIT_HASH_ALGORITHM = env_str("DANGJIAN_AUDIT_HASH", "sha256")  # "sha256" or "sm3"
# Out-of-scope reaches recorded per actor and window (issue 7): enough to see a scan, never a flood.
AUDIT_PROBES_PER_WINDOW = env_int("DANGJIAN_AUDIT_PROBES_PER_WINDOW", 20)
AUDIT_PROBE_WINDOW_SECONDS = env_int("DANGJIAN_AUDIT_PROBE_WINDOW_MINUTES", 60) * 60

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "treebeard",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "dangjian.core",
    "dangjian.ui",
    "dangjian.audit",
    "dangjian.orgs",
    "dangjian.accounts",
    "dangjian.members",
    "dangjian.development",
    "dangjian.dues",
    "dangjian.transfers",
    "dangjian.meetings",
    "dangjian.health",
    "dangjian.exchange",
    "dangjian.integration",
    "dangjian.web",
    "dangjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dangjian.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangjian.core.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangjian.core.middleware.RequestContextMiddleware",
    "dangjian.core.middleware.ScopeProbeMiddleware",
    "dangjian.core.middleware.RefuseNulMiddleware",
    "dangjian.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.web.context.navigation",
            ],
        },
    }
]

VAR_DIR_DB = VAR_DIR / "dangjian.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_url("DATABASE_URL", f"sqlite:///{VAR_DIR_DB}"), conn_max_age=env_int("DANGJIAN_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

# django-axes: lock per account (not per IP only).
AXES_FAILURE_LIMIT = env_int("DANGJIAN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("DANGJIAN_LOCKOUT_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dangjian.accounts.lockout.lockout_response"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("DANGJIAN_SESSION_HOURS", 12) * 3600
SESSION_IDLE_SECONDS = env_int("DANGJIAN_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_HTTPONLY = True

# HTTPS (README "Configuration"): all off by default; a deployment behind a TLS-terminating proxy turns
# them on. The load-balancer probe /healthz is never redirected.
SECURE_SSL_REDIRECT = env_bool("DANGJIAN_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DANGJIAN_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DANGJIAN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DANGJIAN_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DANGJIAN_PROXY_SSL_HEADER", False) else None
SESSION_COOKIE_SECURE = env_bool("DANGJIAN_SECURE_COOKIES", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Content-Security-Policy on every response (dangjian.core.security; Django 6's setting name and shape).
SECURE_CSP = DEFAULT_CSP
OTP_TOTP_ISSUER = "dangjian"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if entry[1].is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DANGJIAN_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_MAX_LIMIT = 500
# Import limits for every import, in the request or the worker (issue 7, defect 7).
DANGJIAN_IMPORT_MAX_ROWS = env_int("DANGJIAN_IMPORT_MAX_ROWS", 200_000)
DANGJIAN_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("DANGJIAN_IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
LOGIN_URL_PATH = "/accounts/login/"
# Lockout is per account by design (issue #2): a username is locked whatever IP or client tries it.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
