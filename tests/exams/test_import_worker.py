"""With a real worker the upload crosses the broker: the page shows the import running, then
its result, and the worker read the file from the default storage, not from the request."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportJob
from exams.importing import COLUMNS
from exams.models import Question
from tests.celery_worker import wait_for

pytestmark = [pytest.mark.celery_worker]


def test_a_worker_imports_the_upload_and_the_page_follows(celery_worker_process, client,
                                                          user_factory):
    client.force_login(user_factory(roles=["exam_admin"]))
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS] + [
        [f"Q-{n}", "3", "", "", "single", f"第{n}题", "甲", "乙", "", "", "", "", "A", "", ""]
        for n in range(1, 41)])
    response = client.post(reverse("exams:import"),
                           {"file": SimpleUploadedFile("bank.csv", out.getvalue().encode())})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("exams:import_job", args=[job.pk])

    done = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.DONE)
                    .exists())
    assert done, celery_worker_process["log"].read_text()
    page = client.get(response["Location"])
    assert not page.has_header("Refresh")
    assert "已导入 40 行：新增 40" in page.content.decode()
    assert Question.objects.filter(module_number=3).count() == 40
    assert "exams.tasks.questions_import_run" in celery_worker_process["log"].read_text()
