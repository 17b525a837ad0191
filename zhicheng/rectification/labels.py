"""The labels of this app's choices, listed for the translation catalogue: templates show them with `|tr`."""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("随机抽查"), gettext_noop("巡查"), gettext_noop("复查"),
    gettext_noop("待整改"), gettext_noop("已报送整改情况"), gettext_noop("整改已验收"), gettext_noop("逾期未整改"), gettext_noop("逾期未整改，已停止评审"),
    gettext_noop("验收通过"), gettext_noop("不予验收，退回整改"),
    gettext_noop("草稿"), gettext_noop("已发布"),
]
