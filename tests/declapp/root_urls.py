"""The project's URLs plus the test app's page (tests set ROOT_URLCONF to this module)."""
from django.urls import include, path

from dangjian.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("declapp/", include("tests.declapp.urls")), *project_urlpatterns]
