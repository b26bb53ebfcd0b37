"""Pages of organisational life and elections (/meetings/)."""
from django.urls import path

from dangjian.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("calendar/", views.calendar, name="calendar"),
    path("compliance/", views.compliance, name="compliance"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
    path("series/", views.series, name="series"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<int:pk>/generate/", views.series_generate, name="series_generate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:aid>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/followups/", views.followup_add, name="followup_add"),
    path("<int:pk>/followups/<int:fid>/done/", views.followup_done, name="followup_done"),
    path("<int:pk>/code/", views.checkin_code, name="checkin_code"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("elections/", views.elections, name="elections"),
    path("elections/new/", views.election_create, name="election_create"),
    path("elections/<int:pk>/", views.election_detail, name="election_detail"),
    path("elections/<int:pk>/approve/", views.election_approve, name="election_approve"),
    path("terms/<int:pk>/postpone/", views.term_postpone, name="term_postpone"),
]
