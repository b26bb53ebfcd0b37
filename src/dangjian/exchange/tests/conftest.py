"""The browser fixtures of tests/browser (Chromium via Playwright against live_server), for this app's
browser test. Only fixtures are imported: the hooks stay with tests/browser."""
from tests.browser.conftest import account, browser, chromium_executable, login, page, screenshot  # noqa: F401
