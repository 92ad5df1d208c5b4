"""Questions refer to the standard's items by key instead of free text.

`item_code` and `standard_version` become `legacy_item_code` / `legacy_standard_version`; each
question whose text names a published item of its own module (blank version: the current one)
is pointed at that item and its text cleared. What matches nothing stays as written, for exam
admins to see on /exams/manage/items/, and is listed when the migration runs. Reversible: the
reverse writes each item's code and version back as text.
"""

from django.db import migrations, models
import django.db.models.deletion

from cms.item_references import item_index, item_references_of


def questions_link_items(apps, schema_editor=None):
    """Point each question at the item its text names; return "code: reason" for each that
    keeps its text because it names no published item of its module."""
    question_model = apps.get_model("exams", "Question")
    index = item_index(apps)
    unmatched = []
    for question in question_model.objects.filter(item__isnull=True).exclude(legacy_item_code=""):
        match = index.match(version=question.legacy_standard_version,
                            code=question.legacy_item_code, module_number=question.module_number)
        if match.item_id is None:
            unmatched.append(f"{question.code}: {question.legacy_standard_version or '-'} "
                             f"{question.legacy_item_code} ({match.problem})")
            continue
        question.item_id = match.item_id
        question.legacy_item_code = question.legacy_standard_version = ""
        question.save(update_fields=["item", "legacy_item_code", "legacy_standard_version"])
    return unmatched


def questions_unlink_items(apps, schema_editor=None):
    question_model = apps.get_model("exams", "Question")
    questions = list(question_model.objects.filter(item__isnull=False))
    references = item_references_of(apps, {q.item_id for q in questions})
    for question in questions:
        question.legacy_standard_version, question.legacy_item_code = references.get(
            question.item_id, ("", ""))
        question.item_id = None
        question.save(update_fields=["item", "legacy_item_code", "legacy_standard_version"])


def _forwards(apps, schema_editor):
    unmatched = questions_link_items(apps, schema_editor)
    if unmatched:
        print(f"\n  exams: {len(unmatched)} question(s) keep an item reference that names no "
              "published item (shown on /exams/manage/items/):")
        for line in unmatched:
            print(f"    {line}")


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0003_search_trigram"),
        ("exams", "0002_exam_review_policy"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="question",
            options={"ordering": ["module_number", "code"], "permissions": [("import_questions", "Can import and export the question bank"), ("void_question", "Can void a question and regrade attempts"), ("view_item_tracing", "Can see which questions and lessons trace to the standard's items")], "verbose_name": "question", "verbose_name_plural": "questions"},
        ),
        migrations.AddField(
            model_name="question",
            name="item",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="questions", to="cms.standarditem", verbose_name="standard item"),
        ),
        migrations.RenameField(model_name="question", old_name="item_code", new_name="legacy_item_code"),
        migrations.AlterField(
            model_name="question",
            name="legacy_item_code",
            field=models.CharField(blank=True, help_text="The item code as first written, when it matched no published item.", max_length=20, verbose_name="unmatched item code"),
        ),
        migrations.RenameField(model_name="question", old_name="standard_version", new_name="legacy_standard_version"),
        migrations.AlterField(
            model_name="question",
            name="legacy_standard_version",
            field=models.CharField(blank=True, help_text="The version as first written, when its item code matched no item.", max_length=40, verbose_name="unmatched standard version"),
        ),
        migrations.RunPython(_forwards, questions_unlink_items),
    ]
