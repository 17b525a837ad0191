from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "zhicheng.certificates"
    verbose_name = "核准备案与电子证书"
