from decimal import Decimal

from django.db import migrations

TYPES = [
    ("coordinator", "注册协调员", "Registered Coordinator", "C", "coordinator"),
    ("reviewer", "注册评审员", "Registered Reviewer", "R", "reviewer"),
]


def create_types(apps, schema_editor):
    CredentialType = apps.get_model("certification", "CredentialType")
    RankingWeights = apps.get_model("certification", "RankingWeights")
    for slug, name, name_en, code, role in TYPES:
        CredentialType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "number_code": code,
                "validity_years": 3,
                "renewal_method": "either",
                "cpd_hours_required": Decimal("40.0"),
                "role": role,
            },
        )
    RankingWeights.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
