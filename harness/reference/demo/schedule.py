"""The demo season's schedule: the real early-season shape of game counts, then generated matchups."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from harness.reference.teams import TEAMS

GAMES_PER_TEAM = 82
SEASON_GAMES = len(TEAMS) * GAMES_PER_TEAM // 2
MAX_GAMES_PER_DATE = 13

# Real per-date game counts of the first 28 game dates (consecutive days from the opener), keyed by opener.
# The harness's sample window is these 28 days, so the demo must have the real shape there.
# fmt: off
FIXED_OPENING_COUNTS: dict[dt.date, tuple[int, ...]] = {
    dt.date(2021, 10, 19): (2, 11, 3, 10, 8, 6, 9, 5, 10, 6, 7, 11, 5, 9, 5, 11, 5, 9, 6, 8, 8, 3, 13, 3, 11, 7, 7, 11),
}
# fmt: on

# Relative game volume by weekday (Monday first): the NBA plays most on Wednesday and Friday.
WEEKDAY_WEIGHTS = np.array([0.9, 0.7, 1.2, 0.6, 1.1, 0.9, 0.7])


def _break_days(opener: dt.date, last_day: dt.date) -> set[dt.date]:
    """Dates without games: Thanksgiving, Christmas Eve and the All-Star break (Friday to Wednesday)."""
    year = opener.year
    november_first = dt.date(year, 11, 1)
    thanksgiving = november_first + dt.timedelta(days=(3 - november_first.weekday()) % 7 + 21)
    february_first = dt.date(year + 1, 2, 1)
    all_star_sunday = february_first + dt.timedelta(days=(6 - february_first.weekday()) % 7 + 14)
    all_star = {all_star_sunday + dt.timedelta(days=d) for d in range(-2, 4)}
    return {d for d in {thanksgiving, dt.date(year, 12, 24), *all_star} if opener <= d <= last_day}


def _apportion(rng: np.random.Generator, dates: list[dt.date], total: int) -> np.ndarray:
    """Split `total` games over `dates` by weekday weight with noise, each date between 1 and the cap."""
    weekdays = np.array([d.weekday() for d in dates])
    raw = WEEKDAY_WEIGHTS[weekdays] * rng.uniform(0.6, 1.4, len(dates))
    raw = raw / raw.sum() * total
    counts: np.ndarray = np.clip(np.floor(raw), 1, MAX_GAMES_PER_DATE).astype(int)
    while (diff := total - counts.sum()) != 0:
        step = 1 if diff > 0 else -1
        room = counts < MAX_GAMES_PER_DATE if step > 0 else counts > 1
        order = np.argsort(-(raw - counts) * step, kind="stable")
        chosen = [i for i in order if room[i]][: abs(diff)]
        counts[chosen] += step
    return counts


def game_counts(rng: np.random.Generator, opener: dt.date, last_day: dt.date) -> dict[dt.date, int]:
    """Games per date: the real counts for a known opener's first dates, then a weighted spread."""
    fixed = FIXED_OPENING_COUNTS.get(opener, ())
    counts = {opener + dt.timedelta(days=i): n for i, n in enumerate(fixed)}
    skip = _break_days(opener, last_day)
    free_start = opener + dt.timedelta(days=len(fixed))
    free = [
        free_start + dt.timedelta(days=i)
        for i in range((last_day - free_start).days + 1)
        if free_start + dt.timedelta(days=i) not in skip
    ]
    counts.update(zip(free, _apportion(rng, free, SEASON_GAMES - sum(fixed)).tolist(), strict=True))
    return counts


def _pair_up(rng: np.random.Generator, teams: np.ndarray, meetings: np.ndarray) -> list[tuple[int, int]]:
    """Pair the teams playing on a date, preferring opponents they have met least."""
    pool = list(rng.permutation(teams))
    pairs = []
    while pool:
        team = pool.pop(0)
        scores = meetings[team, pool] + rng.random(len(pool)) * 0.5
        pairs.append((team, pool.pop(int(np.argmin(scores)))))
    return pairs


def _assign_matchups(
    rng: np.random.Generator, counts: dict[dt.date, int]
) -> list[tuple[dt.date, int, int]] | None:
    """Fill each date's slots with teams that have the most games left (greedy, as in Ryser's construction).

    Taking the teams with the most remaining games first keeps every team able to reach 82; rested teams
    and random noise only break ties. Returns (date, home, away) triples, or None if a team missed 82.
    """
    n_teams = len(TEAMS)
    remaining = np.full(n_teams, GAMES_PER_TEAM)
    last_played = np.full(n_teams, -10)
    meetings = np.zeros((n_teams, n_teams))
    home_games = np.zeros(n_teams)
    games = []
    for day_index, (day, n_games) in enumerate(sorted(counts.items())):
        rested = last_played < day_index - 1
        key = remaining + 0.5 * rested + 0.4 * rng.random(n_teams)
        playing = np.argsort(-key, kind="stable")[: 2 * n_games]
        if remaining[playing].min() <= 0:
            return None
        for a, b in _pair_up(rng, playing, meetings):
            home, away = (a, b) if (home_games[a], rng.random()) < (home_games[b], 0.5) else (b, a)
            games.append((day, int(home), int(away)))
            meetings[a, b] += 1
            meetings[b, a] += 1
            home_games[home] += 1
        remaining[playing] -= 1
        last_played[playing] = day_index
    return games if not remaining.any() else None


def schedule_games(
    rng: np.random.Generator, season_year: int, opener: dt.date, last_day: dt.date
) -> pd.DataFrame:
    """The season's games, one row per game in NBA sequence order, with ids and tip-off time.

    Columns: game_idx, game_date (datetime64[s]), home, away (indices into TEAMS), nba_game_id, game_id,
    bdb_game_id, start_utc (naive UTC), overtimes.
    """
    counts = game_counts(rng, opener, last_day)
    for _ in range(20):
        matchups = _assign_matchups(rng, counts)
        if matchups is not None:
            break
    else:
        raise RuntimeError(f"could not build an 82-game schedule for season {season_year}")
    games = pd.DataFrame(matchups, columns=["game_date", "home", "away"])
    games["game_date"] = pd.to_datetime(games["game_date"]).astype("datetime64[s]")
    n = len(games)
    games["game_idx"] = np.arange(n)
    games["nba_game_id"] = [f"002{season_year % 100:02d}{i + 1:05d}" for i in range(n)]
    games["bdb_game_id"] = games["nba_game_id"].astype(int)
    tricodes = np.array([t.tricode for t in TEAMS])
    ymd = games["game_date"].dt.strftime("%Y%m%d")
    games["game_id"] = ymd + "_" + tricodes[games["away"]] + "_" + tricodes[games["home"]]
    local_tip = games["game_date"] + pd.to_timedelta(
        rng.choice([19 * 60, 19 * 60 + 30, 20 * 60, 22 * 60], n, p=[0.45, 0.3, 0.15, 0.1]), unit="m"
    )
    utc_tip = local_tip.dt.tz_localize("America/New_York").dt.tz_convert("UTC").dt.tz_localize(None)
    games["start_utc"] = utc_tip.astype("datetime64[s]")
    games["overtimes"] = rng.choice([0, 1, 2], n, p=[0.93, 0.06, 0.01])
    return games
