"""Pages of data exchange (数据交换)."""
from django.urls import path

from dangjian.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.upload, name="upload"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/commit/", views.job_commit, name="job_commit"),
    path("templates/<str:kind>/", views.template, name="template"),
    path("export/", views.export_page, name="export"),
    path("export/members/", views.export_members_view, name="export_members"),
    path("export/orgs/", views.export_orgs_view, name="export_orgs"),
    path("profiles/<int:pk>/", views.profile_edit, name="profile"),
    path("profiles/<int:pk>/copy/", views.profile_copy_view, name="profile_copy"),
]
