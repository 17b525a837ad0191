from django.core.management.base import BaseCommand, CommandError

from zhicheng.backups.services import BackupError, restore


class Command(BaseCommand):
    help = ("从备份恢复到当前配置的（全新的、空的）数据库和目录：先校验备份的每个文件和密钥指纹，"
            "再写入，最后核验审计哈希链、每张证书的签名和每个材料文件的 SHA-256。")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="zhicheng backup 写出的备份目录")
        parser.add_argument("--force", action="store_true", help="目标数据库或目录已有数据时仍然覆盖")

    def handle(self, *args, directory, force, **options):
        try:
            restored = restore(directory, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = restored.manifest
        self.stdout.write(f"已恢复 {manifest['created_at']} 的备份（{manifest['database']['engine']}，{len(manifest['files'])} 个文件）。")
        if restored.migrated:
            self.stdout.write(f"已按当前程序版本升级数据库结构（{restored.migrated} 个迁移）。")
        for line in restored.checks.summary():
            self.stdout.write(line)
        if not restored.checks.ok:
            raise CommandError("恢复后的核验未通过（见上）：请勿启用这份数据，换用另一份备份或核对密钥后重试。")
        self.stdout.write("核验全部通过。")
