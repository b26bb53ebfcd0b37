from django.urls import path

from tests.declapp import views

app_name = "declapp"

urlpatterns = [path("", views.page, name="page")]
