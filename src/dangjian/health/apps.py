from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "dangjian.health"
    label = "health"
    verbose_name = "组织健康监测"

    def ready(self) -> None:
        from dangjian.health import rules, tasks

        rules.load()
        tasks.subscribe()
