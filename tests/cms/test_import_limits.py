"""The standard import (admin page and command) reads files under core.uploads' limits: a YAML
that multiplies itself through aliases and a workbook that unpacks too far are refused by name,
and nothing is imported."""

from __future__ import annotations

import time

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from cms.models import StandardItem
from core.models import ImportJob
from tests.core.uploads_helpers import post_and_follow_import, xlsx_bomb

from .conftest import standard_data

pytestmark = pytest.mark.django_db


def _laughing(levels: int = 7) -> bytes:
    """A valid standard whose first item's guidance is 10**levels strings through aliases."""
    data = standard_data(items=1)
    text = yaml.safe_dump(data, allow_unicode=True)
    anchors = ['lol0: &l0 ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    anchors += [f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    return ("\n".join(anchors) + "\n" + text.replace(
        "guidance: ", f"guidance: *l{levels - 1}\n  _was: ", 1)).encode()


@pytest.fixture
def editor(client, user_factory):
    person = user_factory(roles=["content_editor"], is_staff=True)
    client.force_login(person)
    return person


def test_a_yaml_alias_bomb_is_refused_by_name(client, home_page, editor,
                                              django_capture_on_commit_callbacks):
    response = post_and_follow_import(
        client, "/cms-admin/standard-import/", {"file": SimpleUploadedFile("std.yaml",
                                                                          _laughing())},
        django_capture_on_commit_callbacks)
    assert "std.yaml: YAML 展开后超过 200000 个值的上限" in response.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.FAILED
    assert StandardItem.objects.count() == 0


def test_the_command_applies_the_same_limits(home_page, tmp_path):
    path = tmp_path / "std.yaml"
    path.write_bytes(_laughing())
    with pytest.raises(CommandError, match=r"std\.yaml: YAML 展开后超过 200000 个值"):
        call_command("import_standard", str(path))
    path = tmp_path / "std.xlsx"
    path.write_bytes(xlsx_bomb(unpacked_mb=100))
    started = time.monotonic()
    with pytest.raises(CommandError, match=r"std\.xlsx: 工作簿解压后为"):
        call_command("import_standard", str(path))
    assert time.monotonic() - started < 3
    assert StandardItem.objects.count() == 0


def test_a_workbook_bomb_is_refused_in_the_admin_form(client, home_page, editor):
    started = time.monotonic()
    response = client.post("/cms-admin/standard-import/",
                           {"file": SimpleUploadedFile("std.xlsx", xlsx_bomb(unpacked_mb=100))})
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert "工作簿解压后为" in response.content.decode()
    assert not ImportJob.objects.exists()
