from django.core.management.base import BaseCommand, CommandError

from zhicheng.certificates import revocations


class Command(BaseCommand):
    help = ("电子证书：sign-revocations 为尚未签名的已撤销证书签发撤销清单第1版，"
            "把数据库中尚未写入撤销清单文件的版本补写进去，并核验撤销清单")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sign-revocations"])

    def handle(self, *args, **options):
        if made := revocations.sign_existing():
            self.stdout.write(f"已签发撤销清单第 {made.version} 版，共 {len(made.payload['entries'])} 条撤销记录。")
        appended = revocations.sync_file()
        if appended:
            self.stdout.write(f"已向撤销清单文件补写 {appended} 个版本。")
        state = revocations.current()
        problems = state.problems()
        database_top = state.database.version if state.database else 0
        if state.file.top > database_top:
            problems.append(f"数据库中的撤销清单只到第 {database_top} 版，签名文件已到第 {state.file.top} 版：数据库中的新版本被删除或回退。")
        if problems:
            raise CommandError("撤销清单核验未通过：" + "；".join(problems))
        self.stdout.write(f"撤销清单完好：数据库与签名文件均到第 {max(database_top, state.file.top)} 版。")
