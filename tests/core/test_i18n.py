from pathlib import Path

import polib
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_home_page_speaks_chinese_by_default(client, home_page):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "阅读标准" in html
    assert "证书查询" in html


def test_visitor_switches_to_english_and_it_sticks(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Read the standard" in html
    assert "The open CCSO contact-centre standard" in html


def test_browser_language_english_is_honoured(client, home_page):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_fully_translated_and_compiled(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == [], f"{po_path}: run `make messages` and translate"
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    # Keyed by context too: "Submitted" (a state) and pgettext("review", "Submitted") differ.
    compiled_map = {(e.msgctxt, e.msgid): e.msgstr for e in compiled}
    stale = [e.msgid for e in catalogue.translated_entries()
             if compiled_map.get((e.msgctxt, e.msgid)) != e.msgstr]
    assert stale == [], f"{po_path}: .mo is out of date; run `make messages`"
