from django.db import migrations, models

LEVELS = {
    "national": "国家级", "provincial": "省部级（含自治区级）", "prefectural": "盟市级（厅局级）",
    "county": "旗县级", "unit": "单位级", "commissioned": "横向委托",
}
# Typed levels as people wrote them, read by the first words that say who set the project up (横向 before
# 国家: a 横向 project for a state company is commissioned). What none of them reads stays as typed: the
# archive's form then asks the applicant to choose, naming what was typed (people.forms.catalogue_choice).
READINGS = [
    (("横向", "委托"), "commissioned"),
    (("国家", "国务院"), "national"),
    (("省", "自治区", "部级"), "provincial"),
    (("盟", "市", "厅", "局"), "prefectural"),
    (("旗", "县"), "county"),
    (("单位", "院级", "校级", "企业"), "unit"),
]


def typed_to_code(apps, schema_editor):
    Project = apps.get_model("people", "Project")
    for project in Project.objects.exclude(level="").exclude(level__in=list(LEVELS)).only("pk", "level"):
        code = next((code for words, code in READINGS if any(w in project.level for w in words)), None)
        if code:
            Project.objects.filter(pk=project.pk).update(level=code)


def code_to_label(apps, schema_editor):
    Project = apps.get_model("people", "Project")
    for code, label in LEVELS.items():
        Project.objects.filter(level=code).update(level=label)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="level",
            field=models.CharField(blank=True, choices=list(LEVELS.items()), max_length=40, verbose_name="项目级别"),
        ),
        migrations.RunPython(typed_to_code, code_to_label),
    ]
