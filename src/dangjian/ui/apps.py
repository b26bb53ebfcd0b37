from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "dangjian.ui"
    label = "ui"
    verbose_name = "页面组件"
