from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dangjian.exchange"
    label = "exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from dangjian.exchange import panels

        panels.register()
