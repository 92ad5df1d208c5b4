"""Documents editors attach to the standard stream through Wagtail's view from the private
bucket: a redirect to the bucket would be refused there."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% review form\n"


def test_documents_stream_from_the_private_bucket(client, object_store, s3_media):
    document = get_document_model().objects.create(
        title="评审表", file=ContentFile(PDF, name="review-form.pdf"))
    assert document.file.name in object_store.keys(s3_media)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
