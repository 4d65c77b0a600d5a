"""The sign-off page in a real browser: Debian's Chromium, driven by Selenium through chromedriver, opens
the report of a READY run and of a NOT READY run at 1366x768 and reads it as the person signing off does.

It checks what only a browser shows: the verdict and the gameplan's success list come before any other
text, in the first viewport; the coverage grid's cells have their state colours (computed style);
pytest-html's result filters still hide rows; nothing is logged to the console; and no request leaves the
page (the resource timing entries and the DevTools network log name only the page itself). It saves a
screenshot of each page in the test's temporary directory (docs/signoff.png is one of them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from signoff_checks import assert_signoff_matches_warehouse, load_signoff

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
READY_WINDOW = "2021-10-19:2021-11-15"  # the gameplan's 28 days from the opener: READY on the demo season
NOT_READY_WINDOW = "2021-10-31:2021-11-03"  # no games before it were processed: Phase 4 has too little
VIEWPORT = (1366, 768)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="the browser test needs Debian's chromium and chromium-driver (apt-get install -y chromium "
    "chromium-driver; .ci/run installs them)",
)

STATE_COLOURS = {
    # (data-state, has rows) -> the background the grid's legend promises
    ("expected", True): "rgb(200, 230, 201)",
    ("expected", False): "rgb(239, 154, 154)",
    ("exempt", False): "rgb(224, 224, 224)",
    ("none_expected", False): "rgb(225, 245, 254)",
    ("no_games", False): "rgb(250, 250, 250)",
    ("exempt", True): "rgb(255, 204, 128)",
}

TEXT_BEFORE = """
// The top of the first visible text on the page that is not inside the given elements.
const skip = arguments[0].map((id) => document.getElementById(id));
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let top = Infinity;
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.textContent.trim() || skip.some((el) => el.contains(node))) continue;
  const parent = node.parentElement;
  if (parent.closest('style,script,template,title')) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const rect of range.getClientRects()) {
    if (rect.width > 0 && rect.height > 0) top = Math.min(top, rect.top + window.scrollY);
  }
}
return top;
"""

GRID = """
return [...document.querySelectorAll('#harness-coverage td[data-state]')].map((td) =>
  [td.dataset.table, td.dataset.date, td.dataset.state, Number(td.dataset.rows), getComputedStyle(td).backgroundColor]);
"""

RESULTS = """
return [...document.querySelectorAll('#results-table tbody.results-table-row td.col-result')]
  .filter((td) => td.offsetParent !== null).map((td) => td.textContent.trim().toLowerCase());
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium at 1366x768 with a fresh profile, nothing in the background that would reach
    the network, and its console and DevTools network events logged."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def reports(warehouse_factory, run_gameplan, pipeline) -> dict:
    """The report of a READY run (the gameplan's window) and of a NOT READY one (a window after three
    weeks nobody processed: the Phase 4 processors that need recent games write nothing)."""
    warehouses = warehouse_factory(), warehouse_factory()
    ready = run_gameplan(warehouses[0], "--window", READY_WINDOW, "-n", "0")
    not_ready = run_gameplan(warehouses[1], "--window", NOT_READY_WINDOW, "-n", "0")
    assert ready.ret == 0, ready.stdout[-3000:]
    assert not_ready.ret == 1, not_ready.stdout[-3000:]
    for run, path in zip((ready, not_ready), warehouses, strict=True):
        assert_signoff_matches_warehouse(run.home, run.ret, path, pipeline)  # the quality figures among them
    return {"ready": ready.home, "not ready": not_ready.home}


def _open(browser: Any, home: Path) -> tuple[dict, str]:
    summary, _ = load_signoff(home)
    page = next((home / "reports").glob("backfill-*.html")).as_uri()
    browser.get_log("browser"), browser.get_log("performance")  # start both logs afresh
    browser.get(page)
    return summary, page


@pytest.mark.parametrize("which", ["ready", "not ready"])
def test_the_signoff_page_in_a_browser(browser: Any, reports: dict, which: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    summary, page = _open(browser, reports[which])
    assert summary["ready"] is (which == "ready")

    # The verdict, then the success list, before any other text, and both in the first viewport.
    height = browser.execute_script("return window.innerHeight")
    verdict = browser.find_element(By.ID, "harness-verdict")
    success = browser.find_element(By.ID, "harness-success")
    assert verdict.text.startswith(summary["verdict"])
    assert verdict.rect["y"] < success.rect["y"]
    assert verdict.rect["y"] + verdict.rect["height"] <= height
    first_other = browser.execute_script(TEXT_BEFORE, ["harness-verdict", "harness-success"])
    heading = browser.execute_script(
        "return document.getElementById('harness-success').previousElementSibling"
    )
    assert first_other >= heading.rect["y"], "only the success list's heading sits between verdict and list"
    if which == "ready":
        assert success.rect["y"] + success.rect["height"] <= height
        items = success.find_elements(By.TAG_NAME, "li")
        assert len(items) == 4 and all(li.get_attribute("data-met") == "true" for li in items)
    else:
        assert success.find_elements(By.CSS_SELECTOR, "li[data-met=false]")
    # The banner's text is readable: white on a dark background.
    assert verdict.value_of_css_property("color") == "rgba(255, 255, 255, 1)"
    banner = verdict.value_of_css_property("background-color")
    assert banner == ("rgba(27, 94, 32, 1)" if which == "ready" else "rgba(183, 28, 28, 1)")

    # Every grid cell has its state's colour.
    cells = browser.execute_script(GRID)
    assert len(cells) == len(summary["coverage"]) * summary["window"]["days"]
    for table, day, state, rows, colour in cells:
        assert (state, rows) == (
            summary["coverage"][table][day]["state"],
            summary["coverage"][table][day]["rows"],
        )
        assert colour == STATE_COLOURS[state, rows > 0], (table, day, state, rows)

    # pytest-html's result filters still work: unticking "passed" hides the passed rows, and only them.
    shown = browser.execute_script(RESULTS)
    assert "passed" in shown
    browser.find_element(By.CSS_SELECTOR, 'input.filter[data-test-result="passed"]').click()
    after = browser.execute_script(RESULTS)
    assert "passed" not in after and len(after) == len(shown) - shown.count("passed")

    # No console errors, and no request but the page itself.
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)") == []
    requested = {
        message["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"] == "Network.requestWillBeSent"
    }
    assert {url for url in requested if not url.startswith("data:")} <= {page}

    # In print (the PDF to attach to the change), the filters go and the colours stay.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert (
        browser.find_element(By.CSS_SELECTOR, ".summary .controls").value_of_css_property("display") == "none"
    )
    assert verdict.value_of_css_property("background-color") == banner
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    browser.get(page)  # the filters untouched, for the picture
    shot = tmp_path / f"{which.replace(' ', '-')}.png"
    assert browser.save_screenshot(str(shot))
