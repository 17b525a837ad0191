from django.core.management.base import BaseCommand

from zhicheng.demo.loader import DEMO_DAY, DEMO_PASSWORD, DemoLoader


class Command(BaseCommand):
    help = "载入演示地区（可重复执行，不会重复创建）并打印各角色演示账号"

    def handle(self, *args, **options):
        logins = DemoLoader(out=self.stdout.write).run()
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}；演示日期 {DEMO_DAY}，由 ZHICHENG_TODAY 设定）：")
        for username, role, where in logins:
            self.stdout.write(f"  {username:<18} {role:<16} {where}")
