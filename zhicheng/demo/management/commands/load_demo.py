import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zhicheng.demo.loader import DEMO_DAY, DEMO_PASSWORD, NOT_PRODUCTION_FLAG, DemoLoader, describe_database, production_reasons


class Command(BaseCommand):
    help = "载入演示地区（可重复执行，不会重复创建）并打印各角色演示账号；看似生产数据库时拒绝执行"

    def add_arguments(self, parser):
        parser.add_argument(NOT_PRODUCTION_FLAG, action="store_true", dest="not_production",
                            help="确认这不是生产数据库，照样载入演示数据（也可设置环境变量 ZHICHENG_DEMO=1）")

    def handle(self, *args, **options):
        reasons = production_reasons(debug=settings.DEBUG, environ=os.environ, database=connection.settings_dict)
        if reasons and not (options["not_production"] or os.environ.get("ZHICHENG_DEMO") == "1"):
            raise CommandError(
                "拒绝载入演示数据：" + "；".join(reasons) + "。演示数据含公开密码的管理员账号 admin 和公开的动态口令密钥，"
                f"不得进入生产数据库。确认这不是生产数据库时，加 {NOT_PRODUCTION_FLAG} 或设置 ZHICHENG_DEMO=1 后重试。"
            )
        self.stdout.write(f"载入演示数据到：{describe_database(connection.settings_dict)}")
        logins = DemoLoader(out=self.stdout.write).run()
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}；make run 的演示日期默认为 {DEMO_DAY}，用 DEMO_TODAY 改，见 README）：")
        for username, role, where in logins:
            self.stdout.write(f"  {username:<18} {role:<16} {where}")
