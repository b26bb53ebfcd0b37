"""Pages of member development (发展党员)."""
from django.urls import path

from dangjian.development import views

app_name = "development"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.create, name="create"),
    path("export/", views.export, name="export"),
    path("rules/", views.rules, name="rules"),
    path("rules/<slug:code>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/step/<slug:code>/", views.step, name="step"),
]
