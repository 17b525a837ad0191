from django.core.management.base import BaseCommand, CommandError

from zhicheng.backups.services import BackupError, backup


class Command(BaseCommand):
    help = ("备份数据库、材料文件、审计检查点与撤销名单，并记录密钥位置与公钥指纹（manifest.json）。"
            "私钥默认不进入备份，应另行离线保存；单机部署可加 --include-keys。")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="新的或空的备份目录（权限 0700）")
        parser.add_argument("--include-keys", action="store_true",
                            help="把签名私钥也复制进备份（权限 0600）；仅适用于单机部署，备份须与数据库同等保护")

    def handle(self, *args, directory, include_keys, **options):
        try:
            manifest = backup(directory, include_keys=include_keys)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        media = sum(1 for name in files if name.startswith("media/"))
        size = sum(entry["size"] for entry in files.values())
        self.stdout.write(f"备份完成：{directory}")
        self.stdout.write(f"  数据库（{manifest['database']['engine']}）：{manifest['database']['file']}；"
                          f"审计日志至第 {manifest['audit_head']['seq']} 条")
        self.stdout.write(f"  材料文件 {media} 个；共 {len(files)} 个文件，{size} 字节")
        for key in manifest["keys"]:
            where = "已复制进备份" if key["included"] else "未复制，请确认已离线备份"
            self.stdout.write(f"  密钥 {key['name']}：{key['location']}（公钥指纹 {key['fingerprint'][:16]}…，{where}）")
