"""Pages of the integration app: the inbox and preferences under /notifications/, and the channel
settings, schedule and event subscriptions under /notifications/channels/, /notifications/schedule/ and
/notifications/webhooks/."""
from django.urls import path

from dangjian.integration import views, webhook_views

app_name = "integration"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_create_view, name="channel_create"),
    path("channels/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", views.channel_test_view, name="channel_test"),
    path("channels/<int:pk>/delete/", views.channel_delete_view, name="channel_delete"),
    path("schedule/", views.schedule, name="schedule"),
    path("webhooks/", webhook_views.webhooks, name="webhooks"),
    path("webhooks/new/", webhook_views.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/rotate/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/replay/", webhook_views.webhook_replay, name="webhook_replay"),
]
