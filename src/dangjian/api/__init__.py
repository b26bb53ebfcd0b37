"""The REST API layer: composes the apps' routers into one NinjaAPI under /api/v1/ (see ``urls``)."""

API_TITLE = "dangjian API"
API_VERSION = "1"
