from django.apps import AppConfig


class DeclappConfig(AppConfig):
    name = "tests.declapp"
    label = "declapp"
    verbose_name = "示例应用（仅测试）"
