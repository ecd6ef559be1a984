"""The web site in a real browser: Debian's Chromium, headless, driven by Selenium through
``/usr/bin/chromedriver``, against one waitress server on a random 127.0.0.1 port.

A handful of actions a clinician takes: open the home page (the survival figure is drawn),
go to a case, filter the case table, answer a stored question from its form and download
its CSV. Screenshots are kept under the test's temporary folder (``screens/``).
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import waitress
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from kg.store.server import free_port
from kg.web.app import create_app
from kg.web.endpoint import QueryServer
from kg.web.server import open_site

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMEDRIVER = "/usr/bin/chromedriver"
C1 = "lms-ivc-two-cases-c1"


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def base_url(dataset: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site served by waitress in a thread, as `vlmskg serve` serves it."""
    folder = tmp_path_factory.mktemp("web") / "store"
    store = ox.Store(str(folder))
    store.bulk_extend(dataset)
    store.flush()
    del store
    port = free_port()
    with QueryServer(folder, timeout=5) as endpoint:
        server = waitress.create_server(create_app(open_site(folder), endpoint),
                                        host="127.0.0.1", port=port, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.close()
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(browser: WebDriver, locator: tuple[str, str], seconds: float = 30) -> object:
    return WebDriverWait(browser, seconds).until(ready.presence_of_element_located(locator))


def test_home_draws_the_survival_figure_and_leads_to_a_case(
        browser: WebDriver, base_url: str, screens: Path) -> None:
    browser.get(base_url + "/")
    assert "vlms-kg" in browser.title
    figure = browser.find_element(By.ID, "survival-figure")
    WebDriverWait(browser, 30).until(lambda b: b.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", figure))
    assert figure.size["width"] > 200 and figure.size["height"] > 100
    browser.save_screenshot(str(screens / "home.png"))

    browser.find_element(By.LINK_TEXT, "Cases").click()
    _wait(browser, (By.ID, "cases"))
    browser.find_element(By.CSS_SELECTOR, f'a[href="/cases/{C1}"]').click()
    age = _wait(browser, (By.ID, "age"))
    assert age.text == "60 years"  # type: ignore[attr-defined]
    assert browser.find_element(By.ID, "sex").text == "female"
    assert browser.find_element(By.ID, "margin").text == "R0"
    assert browser.find_element(By.ID, "metastasis").text == "yes: lung"
    browser.save_screenshot(str(screens / "case.png"))


def test_filter_the_case_table(browser: WebDriver, base_url: str, screens: Path) -> None:
    browser.get(base_url + "/cases")
    everyone = len(browser.find_elements(By.CSS_SELECTOR, "#cases tbody tr"))
    Select(browser.find_element(By.ID, "filter-vessel")).select_by_visible_text(
        "inferior vena cava")
    Select(browser.find_element(By.ID, "filter-sex")).select_by_visible_text("female")
    browser.find_element(By.NAME, "age_max").send_keys("62")
    browser.find_element(By.ID, "apply-filters").click()
    WebDriverWait(browser, 30).until(lambda b: "vessel=inferior" in b.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "#cases tbody tr")
    assert 0 < len(rows) < everyone
    for row in rows:
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert cells[2] == "female" and cells[3] == "inferior vena cava" and int(cells[1]) <= 62
    assert browser.find_elements(By.CSS_SELECTOR, f'#cases a[href="/cases/{C1}"]')
    browser.save_screenshot(str(screens / "cases-filtered.png"))


def test_answer_a_stored_question_and_download_its_csv(
        browser: WebDriver, base_url: str, screens: Path, downloads: Path) -> None:
    browser.get(base_url + "/questions")
    browser.find_element(By.CSS_SELECTOR, 'a[href="/questions/cases-involving-structure"]').click()
    field = _wait(browser, (By.ID, "param-structure"))
    field.clear()  # type: ignore[attr-defined]
    field.send_keys("inferior vena cava")  # type: ignore[attr-defined]
    browser.find_element(By.ID, "run-question").click()
    _wait(browser, (By.ID, "results"))
    cases = {c.text for c in browser.find_elements(By.CSS_SELECTOR, "#results td")}
    assert {C1, "lms-ivc-two-cases-c2"} <= cases and "lms-femoral-vein-c1" not in cases
    browser.save_screenshot(str(screens / "question.png"))

    browser.find_element(By.ID, "csv-download").click()
    target = downloads / "cases-involving-structure.csv"
    deadline = time.monotonic() + 30
    while not target.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {C1, "lms-ivc-two-cases-c2"} <= {r["caseId"] for r in rows}
