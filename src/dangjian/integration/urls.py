"""Pages of the integration app: the inbox and preferences under /notifications/, and the channel
settings and schedule under /notifications/channels/ and /notifications/schedule/."""
from django.urls import path

from dangjian.integration import views

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
]
