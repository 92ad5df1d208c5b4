"""Lessons refer to the standard's items by key instead of a comma-separated string.

`standard_items` becomes `legacy_standard_items`; each code it lists that names a published item
of the current version becomes a link to that item and leaves the text; codes that match nothing
stay in the text as written (shown on the lesson page without a link, and on the item pages'
coverage) and are listed when the migration runs. Reversible.
"""

from django.db import migrations, models
import django.db.models.deletion

from cms.item_references import item_index, item_references_of


def lessons_link_items(apps, schema_editor=None):
    """Link each lesson to the items its codes name; return "slug: codes" for each lesson that
    keeps codes naming no published item."""
    lesson_model = apps.get_model("lms", "Lesson")
    link_model = apps.get_model("lms", "LessonItem")
    index = item_index(apps)
    unmatched = []
    for lesson in lesson_model.objects.exclude(legacy_standard_items=""):
        codes = [c.strip() for c in lesson.legacy_standard_items.replace("，", ",").split(",")
                 if c.strip()]
        kept = []
        for code in dict.fromkeys(codes):
            match = index.match(version="", code=code)
            if match.item_id is None:
                kept.append(code)
            else:
                link_model.objects.get_or_create(lesson_id=lesson.pk, item_id=match.item_id)
        if kept:
            unmatched.append(f"{lesson.slug} (course {lesson.course_id}): {', '.join(kept)}")
        lesson.legacy_standard_items = ", ".join(kept)
        lesson.save(update_fields=["legacy_standard_items"])
    return unmatched


def lessons_unlink_items(apps, schema_editor=None):
    lesson_model = apps.get_model("lms", "Lesson")
    link_model = apps.get_model("lms", "LessonItem")
    links = list(link_model.objects.order_by("pk").values_list("lesson_id", "item_id"))
    references = item_references_of(apps, {item_id for _lesson, item_id in links})
    codes = {}
    for lesson_id, item_id in links:
        codes.setdefault(lesson_id, []).append(references.get(item_id, ("", ""))[1])
    for lesson in lesson_model.objects.filter(pk__in=codes):
        lesson.legacy_standard_items = ", ".join(
            [*codes[lesson.pk], *filter(None, [lesson.legacy_standard_items])])
        lesson.save(update_fields=["legacy_standard_items"])
    link_model.objects.all().delete()


def _forwards(apps, schema_editor):
    unmatched = lessons_link_items(apps, schema_editor)
    if unmatched:
        print(f"\n  lms: {len(unmatched)} lesson(s) keep item codes that name no published "
              "item of the current version:")
        for line in unmatched:
            print(f"    {line}")


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0003_search_trigram"),
        ("lms", "0004_payment_amount_received_on"),
    ]

    operations = [
        migrations.RenameField(model_name="lesson", old_name="standard_items", new_name="legacy_standard_items"),
        migrations.AlterField(
            model_name="lesson",
            name="legacy_standard_items",
            field=models.CharField(blank=True, help_text="Item codes as first written that matched no published item.", max_length=500, verbose_name="unmatched item codes"),
        ),
        migrations.CreateModel(
            name="LessonItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("item", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="lesson_links", to="cms.standarditem", verbose_name="standard item")),
                ("lesson", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="item_links", to="lms.lesson", verbose_name="lesson")),
            ],
            options={
                "verbose_name": "lesson",
                "verbose_name_plural": "lessons",
            },
        ),
        migrations.AddField(
            model_name="lesson",
            name="items",
            field=models.ManyToManyField(blank=True, related_name="lessons", through="lms.LessonItem", to="cms.standarditem", verbose_name="standard items"),
        ),
        migrations.AddConstraint(
            model_name="lessonitem",
            constraint=models.UniqueConstraint(fields=("lesson", "item"), name="lms_lesson_item_unique"),
        ),
        migrations.RunPython(_forwards, lessons_unlink_items),
    ]
