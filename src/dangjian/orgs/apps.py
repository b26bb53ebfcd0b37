from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "组织"

    def ready(self) -> None:
        from dangjian.orgs import panels

        panels.register()
