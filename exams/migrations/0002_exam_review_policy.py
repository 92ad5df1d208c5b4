"""Each exam gets a review policy (what a candidate sees right after the attempt and after the
sitting closes) in place of the single "show answers" switch. Existing exams get the default:
score and per-module breakdown only until the sitting closes; after it, right/wrong and the key
only where the exam used to show its review."""

from django.db import migrations, models


def _from_show_review(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    Exam.objects.filter(show_review=False).update(
        review_marks_after_close=False, review_key_after_close=False)


def _to_show_review(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    Exam.objects.filter(review_key_after_close=False).update(show_review=False)


def _field(label, default, **extra):
    return models.BooleanField(default=default, verbose_name=label, **extra)


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0001_initial"),
    ]

    operations = [
        migrations.AddField("exam", "review_score_after_attempt",
                            _field("right after the attempt: score", True)),
        migrations.AddField("exam", "review_modules_after_attempt",
                            _field("right after the attempt: per-module breakdown", True)),
        migrations.AddField("exam", "review_marks_after_attempt",
                            _field("right after the attempt: right or wrong per question", False)),
        migrations.AddField("exam", "review_key_after_attempt",
                            _field("right after the attempt: right answers and explanations",
                                   False)),
        migrations.AddField("exam", "review_score_after_close",
                            _field("after the sitting closes: score", True)),
        migrations.AddField("exam", "review_modules_after_close",
                            _field("after the sitting closes: per-module breakdown", True)),
        migrations.AddField("exam", "review_marks_after_close",
                            _field("after the sitting closes: right or wrong per question", True)),
        migrations.AddField("exam", "review_key_after_close",
                            _field("after the sitting closes: right answers and explanations",
                                   True, help_text="Never shown to a candidate who failed and "
                                   "may still retake the exam.")),
        migrations.RunPython(_from_show_review, _to_show_review),
        migrations.RemoveField("exam", "show_review"),
    ]
