"""The messages of orders, suspensions and approvals, added to the notifications' default texts (editable in the
admin like the others) from RectificationConfig.ready(); each links to the order's or the suspension's page."""

from django.utils.translation import gettext_noop

TEMPLATES = {
    "rectification_ordered": (
        gettext_noop("限期纠正：请于{{ deadline }}前整改（{{ reference }}）"),
        gettext_noop("{{ party }}：\n经监督检查，责令你单位限期纠正以下问题（八（一））：\n{{ matter }}\n"
              "请于{{ deadline }}前完成整改，并在系统中报送整改情况和证明材料。逾期不能纠正的，将责令停止评审工作，直至取消评审资格。"),
    ),
    "rectification_answered": (
        gettext_noop("{{ party }}已报送整改情况（{{ reference }}）"),
        gettext_noop("{{ party }}已就限期纠正{{ reference }}报送整改情况和证明材料，请验收。"),
    ),
    "rectification_decided": (
        gettext_noop("整改情况验收结论：{{ decision }}（{{ reference }}）"),
        gettext_noop("你单位就限期纠正{{ reference }}报送的整改情况，验收结论为：{{ decision }}。\n"
              "{% if reason %}意见：{{ reason }}\n{% endif %}整改期限为{{ deadline }}。"),
    ),
    "rectification_overdue": (
        gettext_noop("限期纠正已逾期：{{ party }}（{{ reference }}）"),
        gettext_noop("{{ party }}未在{{ deadline }}前报送限期纠正{{ reference }}的整改情况，已逾期。"
              "不能按期纠正的，责令停止评审工作，直至取消评审资格（八（一））。"),
    ),
    "committee_suspended": (
        gettext_noop("{{ committee }}被责令停止评审"),
        gettext_noop("因逾期未纠正（{{ reference }}），自{{ started_on }}起责令{{ committee }}停止评审工作（八（一））：停止期间不得受理申报、不得召开评审会议。\n"
              "理由：{{ reason }}"),
    ),
    "committee_suspension_lifted": (
        gettext_noop("{{ committee }}恢复评审"),
        gettext_noop("{{ committee }}停止评审的决定已解除，可以恢复评审工作。\n理由：{{ reason }}"),
    ),
    "committee_approval_revoked": (
        gettext_noop("{{ committee }}的评审资格已被取消"),
        gettext_noop("{{ committee }}停止评审后仍未纠正，自治区人社厅取消其评审资格（七（一）、八（一））；此后不得开展职称评审。\n理由：{{ reason }}"),
    ),
}


def register() -> None:
    from zhicheng.notifications.services import DEFAULT_TEMPLATES

    for key, source in TEMPLATES.items():
        DEFAULT_TEMPLATES.setdefault(key, source)
