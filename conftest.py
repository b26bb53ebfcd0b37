"""Root pytest configuration: app fixtures are plugins (STYLE §14)."""
import pytest

pytest_plugins = ["tests.fixtures", "dangjian.api.tests.fixtures"]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request in English (Accept-Language, cookie)
    leaves its language active in the thread, which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
