from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "dangjian.transfers"
    label = "transfers"
    verbose_name = "组织关系转接"

    def ready(self) -> None:
        from dangjian.orgs.choices import OrgType
        from dangjian.orgs.pickers import WideChoice, register_wide_choice
        from dangjian.transfers.choices import DESTINATION_PURPOSE, TransfersPerm

        register_wide_choice(DESTINATION_PURPOSE, WideChoice(TransfersPerm.CHANGE, (OrgType.BRANCH,)))

        from dangjian.transfers import panels

        panels.register()
