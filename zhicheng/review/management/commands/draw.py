"""`zhicheng draw verify-stored ID` and `zhicheng draw export ID [--out FILE]`: draws stored by the application.

`zhicheng draw run` and `zhicheng draw verify RECORD.json` stay the pure command line of
zhicheng.draw (zhicheng/cli.py sends them there without loading Django); an exported record
is exactly what `zhicheng draw verify` reads.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from zhicheng.review.drawing import verify_stored
from zhicheng.review.models import ExpertDraw


class Command(BaseCommand):
    help = "复核或导出系统中保存的评委抽选记录（离线抽选与复核用 zhicheng draw run / zhicheng draw verify，不需要数据库）"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        check = commands.add_parser("verify-stored", help="从保存的抽选记录复核")
        check.add_argument("id", type=int)
        export = commands.add_parser("export", help="导出抽选记录（JSON），供 zhicheng draw verify 复核")
        export.add_argument("id", type=int)
        export.add_argument("--out", help="写入文件（默认标准输出）")

    def handle(self, *args, **options):
        draw = ExpertDraw.objects.filter(pk=options["id"]).select_related("plan__committee").first()
        if draw is None or draw.record is None:
            raise CommandError(f"没有编号为 {options['id']} 的已完成抽选")
        if options["command"] == "export":
            text = json.dumps(draw.record, ensure_ascii=False, indent=2) + "\n"
            if options.get("out"):
                with open(options["out"], "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                self.stdout.write(text, ending="")
            return
        check = verify_stored(draw)
        for note in check.notes:
            self.stdout.write(note)
        if not check.ok:
            for problem in check.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(f"复核未通过：{draw.plan.committee.name}{draw.plan.year}年抽选（编号 {draw.pk}）")
        self.stdout.write(f"复核通过：{draw.plan.committee.name}{draw.plan.year}年抽选（编号 {draw.pk}，公示摘要 {draw.publication_sha256}）")
