from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # every installed app's declarations (permissions, grants, navigation, schedule), checked now so
        # that a bad declaration stops the start rather than the first page that reads it
        from dangjian.core.declarations import registry

        registry()
