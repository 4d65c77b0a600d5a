"""Deterministic demo season of the raw (Phase 1-2) tables, for the embedded warehouse.

The harness needs a realistic season to run the reference pipeline on when no real data exists. "Realistic"
means what the pipeline and the harness look at: a schedule with the real early-season shape, box scores
whose arithmetic holds (team = sum of players, points = 2*FGM + 3PM + FTM), play-by-play shots that match
the box scores, and fallback sources present on some dates only, so that source chains fall back and a few
props dates are missing, as in real backfills.

Usage::

    frames = generate_season(2021, date(2021, 10, 19), date(2022, 4, 10))
    frames["nba_raw.nbac_schedule"]  # one DataFrame per table, columns in raw.sql order

Everything is vectorised with numpy; one numpy Generator seeded with the season year drives every draw,
so the same arguments give identical frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd

from harness.reference.demo.boxscores import box_score_lines
from harness.reference.demo.rosters import build_rosters
from harness.reference.demo.schedule import schedule_games
from harness.reference.demo.tables import build_tables


def generate_season(season_year: int, opener: dt.date, last_day: dt.date) -> dict[str, pd.DataFrame]:
    """Generate a full regular season of raw tables.

    Args:
        season_year: starting year of the season (2021 for 2021-22); seeds the random generator.
        opener: first game date.
        last_day: last regular-season game date.

    Returns:
        One DataFrame per table, keyed "nba_raw.<table>" and "nba_reference.nba_schedule", with exactly the
        raw.sql columns in order. DATE columns are datetime64[s], TIMESTAMP columns tz-aware UTC, INT64 and
        BOOL columns pandas nullable dtypes, FLOAT64 float64 with NaN for NULL.
    """
    pieces: dict[str, list[pd.DataFrame]] = {}
    for table, frame in season_tables(season_year, opener, last_day):
        pieces.setdefault(table, []).append(frame)
    return {table: pd.concat(frames, ignore_index=True) for table, frames in pieces.items()}


def season_tables(season_year: int, opener: dt.date, last_day: dt.date) -> Iterator[tuple[str, pd.DataFrame]]:
    """The frames of ``generate_season`` one at a time, built as they are asked for (the largest table in
    consecutive pieces, so a table may come more than once): seeding inserts each and drops it before the
    next is built, which keeps a season's peak memory to one frame's."""
    rng = np.random.default_rng(season_year)
    games = schedule_games(rng, season_year, opener, last_day)
    roster = build_rosters(rng)
    lines = box_score_lines(rng, games, roster)
    return build_tables(rng, season_year, games, roster, lines)
