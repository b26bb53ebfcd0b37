"""Pages of the health app (组织健康监测)."""
from django.urls import path

from dangjian.health import views

app_name = "health"

urlpatterns = [
    path("monitor/", views.monitor, name="monitor"),
    path("monitor/export/", views.monitor_export, name="monitor_export"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
]
