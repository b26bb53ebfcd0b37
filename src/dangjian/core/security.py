"""Content-Security-Policy on every response (issue 7, defect 2).

Django 5.2 has no CSP support of its own (it arrives in Django 6.0 as
``django.middleware.csp.ContentSecurityPolicyMiddleware``). This is the small subset we need, shaped like
Django 6's so moving to the next LTS is a settings change: the policy is the ``SECURE_CSP`` setting (a dict
of directive → list of sources) and a header already set by the view is left alone.

The policy (see :data:`DEFAULT_POLICY`) allows scripts, styles, fonts and fetches from our own origin only:
no inline ``<script>``, no ``on*=`` attributes, no ``javascript:`` URLs, no ``eval``; page data reaches the
page as ``json_script`` blocks (``type="application/json"``, which the browser never runs). Styles are
``'self'`` too, without ``'unsafe-inline'``: templates use classes instead of ``style=`` attributes; the
libraries set styles through the CSSOM (``element.style…``), which CSP does not govern (Bootstrap, ECharts'
SVG and canvas renderers and its text-only tooltips); htmx's own indicator ``<style>`` is switched off in
``base.html``'s ``htmx-config`` and the rule lives in ``web/app.css``.

The API docs page (ninja's bundled Swagger UI, /api/v1/docs) needs no policy of its own: its script and
stylesheet come from our origin, it starts from a static init file with its settings in a JSON block, and
React sets its styles through the CSSOM (tests/browser/test_csp.py tries an operation out under the policy).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings

__all__ = ["DEFAULT_POLICY", "ContentSecurityPolicyMiddleware", "build_policy"]

SELF, NONE = "'self'", "'none'"

DEFAULT_POLICY: dict[str, list[str]] = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],  # Bootstrap's form controls draw their icons from data: SVGs
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}

HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"


def build_policy(policy: Mapping[str, Sequence[str]]) -> str:
    """``{"script-src": ["'self'"], …}`` → ``"script-src 'self'; …"`` (a directive without sources stands alone)."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` (``SECURE_CSP``) and, when configured, the report-only header
    (``SECURE_CSP_REPORT_ONLY``) to every response that does not carry them already."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        enforced = getattr(settings, "SECURE_CSP", DEFAULT_POLICY)
        if enforced and HEADER not in response:
            response[HEADER] = build_policy(enforced)
        report_only = getattr(settings, "SECURE_CSP_REPORT_ONLY", None)
        if report_only and REPORT_ONLY_HEADER not in response:
            response[REPORT_ONLY_HEADER] = build_policy(report_only)
        return response
