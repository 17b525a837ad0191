from django.core.management.base import BaseCommand

from zhicheng.notifications.services import deliver_email


class Command(BaseCommand):
    help = "发送尚未发出的通知邮件"

    def handle(self, *args, **options):
        self.stdout.write(f"已发送 {deliver_email()} 封邮件。")
