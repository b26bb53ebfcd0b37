from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "dangjian.integration"
    label = "integration"
    verbose_name = "集成与通知"

    def ready(self) -> None:
        from dangjian.integration import conf, tasks

        conf.check()  # fail fast: a channel switched on but incompletely configured (STYLE §12)
        tasks.subscribe()
