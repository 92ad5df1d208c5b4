"""A visitor reads the open standard, searches it in Chinese, switches to English and
downloads the PDF: no account needed."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.layout import follow

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = Path(__file__).resolve().parents[2] / "cms" / "fixtures" / "yd-t-2823-2015-sample.yaml"


@pytest.fixture
def sample_standard(home_page):
    from cms.services import standard_import_file

    standard_import_file(name=SAMPLE.name, content=SAMPLE.read_bytes())


def test_visitor_reads_searches_and_downloads_the_standard(page, sample_standard):
    page.goto("/")
    page.get_by_role("link", name="标准", exact=True).first.click()
    page.wait_for_url(re.compile(r".*/standard/$"))
    assert "YD/T 2823-2015" in page.get_by_role("heading", level=2).first.inner_text()
    modules = page.locator("table.cms-modules tbody tr")
    assert modules.count() == 9
    assert "90%" in modules.nth(0).inner_text()

    page.get_by_role("link", name="绩效管理").click()
    assert page.get_by_role("heading", level=1).inner_text() == "模块 5: 绩效管理"
    assert page.locator("article.cms-item").count() >= 20
    page.locator("#item-8\\.3\\.1").get_by_role("link", name="8.3.1").click()
    page.wait_for_url(re.compile(r".*/items/8[.-]3[.-]1/$"))
    assert "首次解决率" in page.get_by_role("heading", level=1).inner_text()
    assert "YD/T 2823-2015 的条目" in page.get_by_test_id("item-version").inner_text()

    page.get_by_test_id("standard-search").fill("次解决")  # from the middle of 首次解决率
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r".*/standard/search/\?q=.*"))
    results = page.locator("li.cms-result")
    assert results.count() == 1
    assert "首次解决率" in results.first.inner_text()
    results.first.get_by_role("link").click()
    assert "首次解决率" in page.get_by_role("heading", level=1).inner_text()

    page.locator("[data-testid=lang-en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "First contact resolution" in page.get_by_role("heading", level=1).inner_text()
    follow(page, page.get_by_role("link", name="The standard").first)
    assert page.get_by_role("link", name="Performance management").is_visible()

    # The first download renders the whole standard (WeasyPrint: over 10 s on a busy machine).
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_test_id("pdf-link").click(no_wait_after=True)
    download = download_info.value
    assert download.suggested_filename == "yd-t-2823-2015.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"


def test_the_print_view_prints_when_asked(page, sample_standard):
    """The button's script is a static file the policy allows; headless chromium has no print
    dialog, so window.print only records that it was called."""
    page.add_init_script("window.print = () => { document.title = 'printing'; };")
    page.goto("/standard/")
    page.get_by_role("link", name="绩效管理").click()
    follow(page, page.get_by_role("link", name="打印视图"))
    assert page.locator("section.item").count() >= 20
    page.get_by_role("button", name="打印").click()
    expect(page).to_have_title("printing")


QUOTE_WIDTH = """() => {
  const probe = document.createElement("span");
  probe.textContent = "\u201c\u2019";
  document.querySelector("main").appendChild(probe);
  const em = parseFloat(getComputedStyle(probe).fontSize);
  const width = probe.getBoundingClientRect().width / em;
  probe.remove();
  return width;
}"""


def test_english_pages_set_quotes_and_apostrophes_in_a_latin_face(page, sample_standard):
    """In a CJK face “ and ’ are full-width (an em each); English text wants the Latin ones."""
    page.goto("/standard/search/?q=first+contact")
    chinese = page.evaluate(QUOTE_WIDTH)
    page.locator("[data-testid=lang-en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "“first contact”" in page.get_by_role("status").inner_text()
    english = page.evaluate(QUOTE_WIDTH)
    assert chinese >= 1.8, chinese  # two full-width marks in the Chinese UI, as Chinese sets them
    assert english < 1.0, english
