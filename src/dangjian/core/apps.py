import logging

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from dangjian.core.accesslog import MaskingFilter

        # runserver's request lines: no full ID numbers or phones (issue 7 §5; gunicorn: ``dangjian serve``)
        server_log = logging.getLogger("django.server")
        if not any(isinstance(f, MaskingFilter) for f in server_log.filters):
            server_log.addFilter(MaskingFilter())

        # every installed app's declarations (permissions, grants, navigation, schedule), checked now so
        # that a bad declaration stops the start rather than the first page that reads it
        from dangjian.core.declarations import registry

        registry()
