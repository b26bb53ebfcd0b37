"""Pages of the dues app."""
from django.urls import path

from dangjian.dues import views

app_name = "dues"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("calculator/", views.calculator, name="calculator"),
    path("bills/", views.bills, name="bills"),
    path("arrears/", views.arrears, name="arrears"),
    path("export/", views.export, name="export"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/pay/", views.pay, name="pay"),
    path("members/<int:pk>/profile/", views.profile, name="profile"),
    path("rules/", views.rule_sets, name="rule_sets"),
    path("rules/add/", views.rule_set_add_page, name="rule_set_add"),
]
