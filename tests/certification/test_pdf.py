"""The certificate PDF really contains Chinese text in an embedded CJK font, and follows the
holder's corrected name; on the local media folder and on the object store alike."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from accounts.services import user_profile_update
from certification import services

pytestmark = pytest.mark.usefixtures("media_storage")


def pdf_text_and_fonts(content: bytes) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "certificate.pdf"
        path.write_bytes(content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                               check=True).stdout
    return text, fonts


def _pdf_text_and_fonts(credential) -> tuple[str, str]:
    # Through the storage API: the file may live in the object store, with no local path.
    with credential.pdf.open("rb") as stored:
        return pdf_text_and_fonts(stored.read())


def test_certificate_embeds_cjk_fonts_and_shows_the_holder_and_facts(user_factory,
                                                                     pass_credential):
    holder = user_factory(name_zh="欧阳明华", name_en="OUYANG Minghua")
    credential = pass_credential(holder)
    text, fonts = _pdf_text_and_fonts(credential)

    assert "欧阳明华" in text
    assert "OUYANG Minghua" in text
    assert "注册协调员" in text
    assert credential.number in text
    assert credential.issued_on.strftime("%Y年") in text
    assert f"{credential.expires_on.year}年{credential.expires_on.month}月" in text
    assert "CCSO 呼叫中心标准认证中心" in text
    assert credential.verification_url() in text
    embedded_cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert embedded_cjk, fonts
    assert all(" yes yes yes " in line for line in embedded_cjk), fonts


def test_the_pdf_is_generated_once_and_regenerated_after_a_name_correction(
        user_factory, pass_credential, django_capture_on_commit_callbacks):
    holder = user_factory(name_zh="张山", name_en="ZHANG Shan")
    credential = pass_credential(holder)
    first_name = credential.pdf.name

    again = services.credential_pdf_generate(credential_id=credential.pk)
    assert again.pdf.name == first_name

    with django_capture_on_commit_callbacks(execute=True):
        user_profile_update(user=holder, changed_by=holder,
                            fields={"name_zh": "张三", "name_en": "ZHANG San"})
    credential.refresh_from_db()
    # Replaced in place: one file per credential, under the one name, showing the new name.
    assert credential.pdf.name == first_name
    assert credential.pdf_generated_at > again.pdf_generated_at
    _folders, files = credential.pdf.storage.listdir(f"certificates/{credential.issued_on:%Y}")
    assert [f for f in files if f.startswith(credential.number)] == [f"{credential.number}.pdf"]
    text, _fonts = _pdf_text_and_fonts(credential)
    assert "张三" in text and "张山" not in text
    assert credential.printed_name_zh == "张三"
