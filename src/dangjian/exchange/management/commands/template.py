"""``dangjian template KIND FILE.xlsx [--profile CODE]``: the import template of a kind (column titles,
an example row, dropdowns for coded fields, a hidden sheet for long lists, frozen header)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from dangjian.exchange.choices import ImportKind
from dangjian.exchange.management.commands._common import mapping_option
from dangjian.exchange.workbooks import write_template


class Command(BaseCommand):
    help = "生成 Excel 导入模板（含示例行和下拉选项）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", help="输出 .xlsx 文件")
        parser.add_argument("--profile", default=None, help="交换方案代码，如 national-members")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        mapping = mapping_option(options["kind"], options["profile"])
        with path.open("wb") as out:
            write_template(mapping, out)
        self.stdout.write(f"已生成模板 {path}（{mapping.name}，{len(mapping.columns)} 列）")
