from django.core.management.base import BaseCommand, CommandError

from zhicheng.audit import checkpoints, conf
from zhicheng.audit.services import verify_chain


class Command(BaseCommand):
    help = ("审计日志：verify 重新计算哈希链并与库外签名检查点核对，指出被篡改或缺失的记录；"
            "checkpoint 签署当前链尾的检查点；checkpoints 列出检查点（--public-key 输出验签公钥）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "checkpoints"])
        parser.add_argument("--public-key", action="store_true", help="checkpoints：只输出检查点验签公钥（PEM）")

    def handle(self, *args, **options):
        getattr(self, options["action"])(options)

    def verify(self, options):
        result = verify_chain()
        for warning in result.warnings:
            self.stderr.write(f"警告：{warning}")
        if not result.ok:
            lines = [f"审计日志被篡改：第 {result.first_broken_seq} 条起校验失败（{result.reason}）；此前 {result.checked} 条哈希链完好。"]
            lines += [f"- {problem}" for problem in result.problems if problem != result.reason]
            raise CommandError("\n".join(lines))
        self.stdout.write(f"审计日志完整：共 {result.checked} 条，哈希链校验通过。")
        if result.checkpoints:
            self.stdout.write(f"库外签名检查点 {result.checkpoints} 个均有效，第 1 条至第 {result.anchored_seq} 条与最新检查点相符。")
        if result.unanchored:
            self.stdout.write(f"第 {result.checked - result.unanchored + 1} 条起的 {result.unanchored} 条尚未被检查点锚定"
                              "（改写后重新计算哈希在下一个检查点之前无法发现）；可运行 zhicheng audit checkpoint 立即签署。")

    def checkpoint(self, options):
        try:
            checkpoint = checkpoints.take_checkpoint()
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        if checkpoint is None:
            self.stdout.write("自上一个检查点以来没有新的审计记录，未签署新检查点。")
            return
        self.stdout.write(f"已签署检查点：第 {checkpoint.seq} 条，哈希 {checkpoint.entry_hash}，写入 {conf.checkpoint_file()} 第 {checkpoint.line} 行。")

    def checkpoints(self, options):
        if options["public_key"]:
            self.stdout.write(checkpoints.public_key_pem(), ending="")
            return
        listed = checkpoints.read_checkpoints()
        if not listed:
            self.stdout.write(f"还没有检查点（{conf.checkpoint_file()}）。")
        for checkpoint in listed:
            self.stdout.write(f"{checkpoint.line}\t第 {checkpoint.seq} 条\t{checkpoint.at}\t{checkpoint.entry_hash}")
