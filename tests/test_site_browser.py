"""The reports' web pages in a real browser: headless Chromium, driven by Selenium, opens
the index and every page it links to; every image loads, every link resolves, and the
console shows no errors. The pages are built from a copy of the committed reports.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them); skips without.
"""

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from kerasreports import catalog, cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="no Chromium and ChromeDriver installed (Debian: "
                                       "apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--allow-file-access-from-files"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=DRIVER))
    yield driver
    driver.quit()


def _check_page(driver, page: Path) -> list[Path]:
    """Open `page`; assert its images load and its links resolve; return the HTML pages
    it links to."""
    driver.get(page.as_uri())
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.src, i.complete ? i.naturalWidth : 0])")
    for src, width in images:
        assert width > 0, f"{page}: image {src} did not load"
    hrefs = driver.execute_script("return Array.from(document.links).map(a => a.href)")
    pages = []
    for href in hrefs:
        url = urlparse(href)
        assert url.scheme == "file", f"{page}: link {href} leaves the folder"
        target = Path(unquote(url.path))
        assert target.exists(), f"{page}: link {href} resolves to nothing"
        if target.suffix == ".html":
            pages.append(target)
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, f"{page}: console errors {errors}"
    return pages


def test_every_page_opens_with_its_images_and_links(tmp_path, browser):
    site = tmp_path / "reports"
    shutil.copytree(catalog.REPORTS_DIR, site)
    assert cli.main(["index", str(site)]) == 0
    seen, waiting = set(), [site / "index.html"]
    while waiting:
        page = waiting.pop()
        if page in seen:
            continue
        seen.add(page)
        waiting += _check_page(browser, page)
    names = {p.relative_to(site).as_posix() for p in seen}
    for name in catalog.REPORTS:
        assert f"{name}/summary.html" in names, name
    assert "mnist_dae/search.html" in names
    # the index shows each report's key figure and its headline numbers beside the source's
    browser.get((site / "index.html").as_uri())
    text = browser.find_element("tag name", "body").text
    assert "probe test accuracy on codes" in text and "0.8752" in text
    thumbnails = browser.execute_script(
        "return Array.from(document.images).map(i => i.getAttribute('src'))")
    assert "mnist_dae/figures/denoising_p0.3.png" in thumbnails
