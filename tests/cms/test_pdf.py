"""The whole version downloads as a PDF with its Chinese text in an embedded CJK font."""

from __future__ import annotations

import re
import subprocess

import pytest

from .conftest import FCR_ITEM

pytestmark = pytest.mark.django_db


def test_pdf_of_the_whole_version_has_chinese_text_and_an_embedded_cjk_font(
    client, standard_factory, tmp_path
):
    standard_factory(items=4, extra_items={5: [FCR_ITEM]})
    response = client.get("/standard/yd-t-2823-2015/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="yd-t-2823-2015.pdf"' in response["Content-Disposition"]
    path = tmp_path / "standard.pdf"
    path.write_bytes(b"".join(response.streaming_content))

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    cjk = [line for line in fonts.stdout.splitlines() if "CJK" in line]
    assert cjk, fonts.stdout
    assert all(line.split()[-5] == "yes" for line in cjk), fonts.stdout  # emb column

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "呼叫中心服务质量和运营管理规范" in text
    assert "首次解决率" in text
    assert "客户权益保护" in text
    assert "评审合格率：90%" in text
    # The cover's table of modules says what its columns are.
    assert re.search(r"模块\s+条目\s+评审合格率\s+1\. 规划及发展方向", text), text[:800]


def test_print_view_of_a_module_has_every_item_without_site_chrome(client, standard_factory):
    standard_factory(items=25)
    body = client.get("/standard/yd-t-2823-2015/module-2/print/").content.decode()
    assert body.count('class="item"') == 25
    assert "cms/print.css" in body
    assert 'class="site-header"' not in body
