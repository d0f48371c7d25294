"""A run folder in a real browser: every relative link resolves, every image renders, offline.

Runs the fixture notebooks (one good, one failing), serves the run folder over http.server on
127.0.0.1 and drives headless Chromium with selenium.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from headless import chromium, http_status, serve
from selenium.webdriver.common.by import By

from hko_research import runner
from hko_research.params import RunParams

FIXTURES = Path(__file__).parents[1] / "fixtures" / "runner"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("default_run")]


@dataclasses.dataclass
class _OkReport:
    ok: bool = True

    def to_text(self):
        return "ok"

    def summary(self):
        return {"ok": True, "inputs": []}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    data = tmp / "data"
    shutil.copytree(FIXTURES / "data", data)
    params = RunParams(year=2019, kommuner=(101, 147, 751), kommuner_spec="alle", data_dir=data,
                       output_dir=tmp / "out", min_cell_size=5, notebooks=("01_ok", "02_fejl"), name="browser",
                       synthetic=True, covered_years=(2019,))
    with contextlib.redirect_stdout(io.StringIO()):
        result = runner.run(params, jobs=2, progress=False, notebooks_dir=FIXTURES / "notebooks",
                            validate=lambda p: _OkReport())
    assert result.exit_code == 1  # 02_fejl fails on purpose
    return result.run_dir


@pytest.fixture(scope="module")
def server(run_dir):
    with serve(run_dir) as url:
        yield url


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile"), window="1280,1600") as drv:
        yield drv


def _check_page(driver, url: str, base: str) -> list[str]:
    """Open url; assert relative links resolve and images render. Returns the links it found."""
    driver.get(url)
    assert driver.execute_script("return document.readyState") == "complete"
    hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href]")]
    local = [h for h in hrefs if h and h.startswith(base)]
    for h in local:
        target = h.split("#", 1)[0]
        assert http_status(target) == 200, f"{url}: broken link {h}"
    external = [h for h in hrefs if h and h.startswith("http") and not h.startswith(base)]
    assert not [h for h in external if "cdn" in h], external
    images = driver.find_elements(By.TAG_NAME, "img")
    for img in images:
        ok = driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
        assert ok, f"{url}: image does not render: {img.get_attribute('src')[:80]}"
    return local


def test_index_and_every_linked_page_resolve_and_render(driver, server, run_dir, tmp_path):
    index_url = server + "index.html"
    links = _check_page(driver, index_url, server)
    assert "HKO-kortlægning – kørsel browser" in driver.title
    banner = driver.find_element(By.CSS_SELECTOR, ".hko-data-banner")
    assert "Syntetiske data" in banner.text and banner.is_displayed()
    rows = {tr.get_attribute("id"): tr.get_attribute("data-status")
            for tr in driver.find_elements(By.CSS_SELECTOR, "table.notebooks tbody tr")}
    assert rows == {"nb-01_ok": "ok", "nb-02_fejl": "fejlet"}
    assert len(driver.find_elements(By.CSS_SELECTOR, ".figures img")) == 1
    screenshot = tmp_path / "browser_index.png"
    assert driver.save_screenshot(str(screenshot)) and screenshot.stat().st_size > 1000

    pages = sorted({link for link in links if urllib.parse.urlparse(link).path.startswith("/html/")})
    assert {urllib.parse.urlparse(p).path for p in pages} == {"/html/01_ok.html", "/html/01_ok_fuld.html",
                                                              "/html/02_fejl_fejl.html"}
    for page in pages:
        sub_links = _check_page(driver, page, server)
        assert server + "index.html" in sub_links  # every page links back to the overview
        assert "Syntetiske data" in driver.find_element(By.CSS_SELECTOR, ".hko-data-banner").text
        if page.endswith("01_ok.html"):
            imgs = driver.find_elements(By.TAG_NAME, "img")
            assert imgs, "the publication page shows the figure"
        if page.endswith("_fejl.html"):
            assert "Bevidst fejl i fixture-notebooken" in driver.find_element(By.TAG_NAME, "body").text
