from django.core.management.base import BaseCommand, CommandError

from zhicheng.declarations.screening import rescreen_year
from zhicheng.policy.ruleset import NoRulesetError, Registry, RulesetError


class Command(BaseCommand):
    help = "按现行规则集重新审查某年度全部已提交申报，列出结论发生变化的人员及原因"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--ruleset-dir", action="append", default=[],
                            help="另外读取规则集的目录（可重复），例如新通知的规则集文件所在目录")

    def handle(self, *args, year, ruleset_dir, **options):
        ruleset = None
        try:
            if ruleset_dir:
                from zhicheng.policy.ruleset import PACKAGE_RULESETS

                ruleset = Registry(PACKAGE_RULESETS, *ruleset_dir).for_year(year)
            changes = rescreen_year(year, ruleset=ruleset)
        except (NoRulesetError, RulesetError) as exc:
            raise CommandError(str(exc))
        if not changes:
            self.stdout.write(f"{year}年度：重新审查完毕，没有结论发生变化的申报。")
            return
        unread = sum(1 for c in changes if not c.screened)
        self.stdout.write(f"{year}年度：{len(changes) - unread} 份申报的审查结论发生变化"
                          + (f"，{unread} 份因档案中有需更正的记录未能重新审查（保留原结论）" if unread else "") + "：")
        for c in changes:
            verdict = lambda v: "符合" if v else ("不符合" if v is not None else "未审查")  # noqa: E731
            self.stdout.write(f"- 申报{c.application_id} {c.person}：{verdict(c.before_eligible)}（{c.before_route or '—'}）"
                              f" → {verdict(c.after_eligible)}（{c.after_route or '—'}）")
            for reason in c.reasons:
                self.stdout.write(f"    · {reason}")
