from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "zhicheng.webhooks"
    verbose_name = "事件推送"
