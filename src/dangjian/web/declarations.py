"""What the web layer adds to the navigation: the link to the API's documentation page (core.declarations)."""
from dangjian.core.declarations import NavEntry

__all__ = ["NAV"]

NAV = [
    NavEntry("api.docs", "API", "api:openapi-view", None, order=90),
]
