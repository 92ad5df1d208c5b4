"""The standard's PDF is typeset by a task, never in the request: a reader who asks before it
is ready is told so in their language, and the render is queued once however many ask."""

from __future__ import annotations

import pytest

from cms.tasks import standard_pdf_store_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize(("language", "heading"), [
    ("zh-hans", "标准的 PDF 正在生成"), ("en", "The PDF of the standard is being prepared"),
])
def test_a_pdf_not_yet_rendered_is_queued_once_and_served_when_ready(
        client, standard_factory, broker_queue, language, heading):
    standard_factory(items=4)
    client.cookies["django_language"] = language
    url = "/standard/yd-t-2823-2015/pdf/"

    first, second = client.get(url), client.get(url)
    for response in (first, second):
        assert response.status_code == 202
        body = response.content.decode()
        assert heading in body
        assert '<meta http-equiv="refresh" content="5">' in body
    queued = broker_queue()
    assert [task["task"] for task in queued] == ["cms.tasks.standard_pdf_store_task"]
    assert queued[0]["kwargs"]["language"] == language

    standard_pdf_store_task(**queued[0]["kwargs"])  # the worker runs it
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert broker_queue() == []
