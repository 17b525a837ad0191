from django.apps import AppConfig
from django.utils.translation import gettext_noop as _noop


class MonitoringConfig(AppConfig):
    name = "zhicheng.monitoring"
    verbose_name = "计划进度与诚信信号"

    def ready(self):
        # The messages of a late committee's explanation (八（二）4), as defaults an admin may edit.
        from zhicheng.notifications.services import DEFAULT_TEMPLATES

        DEFAULT_TEMPLATES.setdefault("plan_explanation_filed", (
            _noop("{{ committee }}报送了{{ year }}年度未按计划完成评审的书面说明"),
            _noop("{{ committee }}报送了{{ year }}年度未按计划完成评审工作的书面说明（八（二）4），请审阅后接受或退回。"),
        ))
        DEFAULT_TEMPLATES.setdefault("plan_explanation_decided", (
            _noop("{{ year }}年度书面说明：{{ decision }}"),
            _noop("{{ committee }}{{ year }}年度未按计划完成评审工作的书面说明（八（二）4）{{ decision }}。"
                  "{% if reason %}\n退回理由：{{ reason }}\n请修改后重新报送。{% endif %}"),
        ))
