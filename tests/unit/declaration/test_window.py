from __future__ import annotations

from datetime import date

import pytest

from harness.declaration.model import Season
from harness.declaration.window import parse_window
from harness.errors import WindowError

SEASONS = (
    Season(2021, date(2021, 10, 19), date(2022, 4, 10)),
    Season(2022, date(2022, 10, 18), date(2023, 4, 9)),
)
TODAY = date(2026, 11, 28)


def parse(text: str):
    return parse_window(text, SEASONS, 14, TODAY)


def test_range_is_inclusive() -> None:
    window = parse("2021-10-19:2021-11-15")
    assert (window.start, window.end, window.days) == (date(2021, 10, 19), date(2021, 11, 15), 28)
    assert list(window.dates())[-1] == date(2021, 11, 15)
    assert window.seasons == (SEASONS[0],)


def test_single_date() -> None:
    window = parse("2021-11-02")
    assert (window.start, window.end, window.days) == (date(2021, 11, 2), date(2021, 11, 2), 1)


def test_bootstrap_split_follows_opener() -> None:
    window = parse("2021-10-19:2021-11-15")
    boot, normal = window.split_bootstrap(list(window.dates()))
    assert (boot[0], boot[-1], len(boot)) == (date(2021, 10, 19), date(2021, 11, 1), 14)
    assert normal[0] == date(2021, 11, 2)
    assert window.season_of(date(2021, 12, 25)) == SEASONS[0]
    assert window.season_of(date(2022, 7, 1)) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "dates must be YYYY-MM-DD"),
        ("2021-10-19:", "expected START:END or DATE"),
        ("2021-10-19:2021-10-20:2021-10-21", "expected START:END or DATE"),
        ("2021-13-01:2021-11-15", "dates must be YYYY-MM-DD"),
        ("2021-11-15:2021-10-19", "END is before START"),
        ("2026-11-01:2026-11-30", "ends on or after today"),
        ("2021-08-01:2021-10-25", "outside the declared seasons"),
        ("2022-05-01:2022-05-02", "outside the declared seasons"),
        ("2021-10-19; DROP TABLE x", "dates must be YYYY-MM-DD"),
    ],
)
def test_bad_windows_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(WindowError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_long_windows_need_asking() -> None:
    with pytest.raises(
        WindowError, match=r"spans 366 days, more than 200; pass --max-window-days 366 if you mean it"
    ):
        parse_window("2021-10-19:2022-10-19", SEASONS, 14, TODAY, max_days=200)
    assert parse_window("2021-10-19:2022-04-10", SEASONS, 14, TODAY, max_days=200).days == 174
