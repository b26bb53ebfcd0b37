from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from dangjian.accounts import signals  # noqa: F401
        from dangjian.accounts.scope import AssignmentResolver
        from dangjian.core.scoping import register_resolver

        register_resolver(AssignmentResolver())
