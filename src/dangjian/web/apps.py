from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dangjian.web"
    label = "web"
    verbose_name = "网页"

    def ready(self) -> None:
        from dangjian.web import panels

        panels.register()
