from django.core.management.base import BaseCommand, CommandError

from zhicheng.audit.services import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 重新计算哈希链并指出第一条被篡改的记录"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"审计日志完整：共 {result.checked} 条，哈希链校验通过。")
            return
        raise CommandError(f"审计日志被篡改：第 {result.first_broken_seq} 条起校验失败（{result.reason}）；此前 {result.checked} 条完好。")
