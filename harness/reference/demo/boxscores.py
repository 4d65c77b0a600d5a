"""The demo season's box-score lines: minutes, stats whose arithmetic holds, plus-minus."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harness.reference.demo.schedule import GAMES_PER_TEAM

# Typical minutes by a player's place in the night's rotation; scaled to the team's 240 (+25 per OT).
ROTATION_MINUTES = np.array([35, 34, 32, 31, 29, 25, 21, 17, 13, 9, 6, 4], dtype=float)


def _injury_flags(rng: np.random.Generator, n_players: int, n_games: int) -> np.ndarray:
    """Injured flag per player and team game, as spells (start 3%, continue 80%) rather than noise."""
    flags = np.zeros((n_players, n_games), dtype=bool)
    current = np.zeros(n_players, dtype=bool)
    for g in range(n_games):
        current = np.where(current, rng.random(n_players) < 0.8, rng.random(n_players) < 0.03)
        flags[:, g] = current
    return flags


def _team_games(games: pd.DataFrame) -> pd.DataFrame:
    """One row per (game, team) with is_home and the team's game number in the season."""
    home = pd.DataFrame({"game_idx": games["game_idx"], "team_idx": games["home"], "opp_idx": games["away"]})
    away = pd.DataFrame({"game_idx": games["game_idx"], "team_idx": games["away"], "opp_idx": games["home"]})
    home["is_home"], away["is_home"] = True, False
    team_games = pd.concat([home, away], ignore_index=True).sort_values(["game_idx", "is_home"])
    team_games["team_game_no"] = team_games.groupby("team_idx").cumcount()
    return team_games.reset_index(drop=True)


def _statuses(rng: np.random.Generator, lines: pd.DataFrame) -> pd.DataFrame:
    """Decide active / dnp / inactive per player line and the rotation slot of each active player."""
    n = len(lines)
    lines["priority"] = -lines["rank"] + rng.normal(0, 1.2, n) - 100 * lines["injured"]
    lines = lines.sort_values(["game_idx", "team_idx", "priority"], ascending=[True, True, False])
    lines["slot"] = lines.groupby(["game_idx", "team_idx"]).cumcount()
    per_team = lines.groupby(["game_idx", "team_idx"])
    size = per_team["slot"].transform("size")
    injured_count = per_team["injured"].transform("sum")
    team_draw = rng.integers(8, 13, n)[per_team.ngroup()]
    dnp_draw = rng.integers(0, 4, n)[per_team.ngroup()]
    n_active = np.minimum(team_draw, size - injured_count)
    lines["played"] = lines["slot"] < n_active
    dnp = ~lines["played"] & (lines["slot"] < n_active + dnp_draw) & ~lines["injured"]
    lines["inactive"] = ~lines["played"] & ~dnp
    lines["status"] = np.select([lines["played"], dnp], ["active", "dnp"], "inactive")
    return lines.reset_index(drop=True)


def _minutes(rng: np.random.Generator, lines: pd.DataFrame) -> np.ndarray:
    """Seconds played per active line, summing exactly to the team's 48 minutes x 5 (+ overtime)."""
    active = lines["played"].to_numpy()
    slot = np.minimum(lines["slot"].to_numpy(), len(ROTATION_MINUTES) - 1)
    weight = np.where(active, ROTATION_MINUTES[slot] * rng.uniform(0.85, 1.15, len(lines)), 0.0)
    keys = [lines["game_idx"], lines["team_idx"]]
    total = (240 + 25 * lines["overtimes"].to_numpy()) * 60
    share = weight / pd.Series(weight).groupby(keys).transform("sum").to_numpy()
    seconds = np.floor(share * total).astype(int)
    shortfall = total - pd.Series(seconds).groupby(keys).transform("sum").to_numpy()
    minutes: np.ndarray = seconds + np.where(lines["slot"].to_numpy() == 0, shortfall, 0)
    return minutes


def box_score_lines(rng: np.random.Generator, games: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """One line per rostered player per game: status, seconds and counting stats.

    Stats are NaN for players who did not play. Totals are consistent by construction: made <= attempted,
    3PM <= FGM, points = 2*FGM + 3PM + FTM, no tied games, player plus-minus sums to 5 x the margin.
    """
    team_games = _team_games(games)
    lines = team_games.merge(roster[["player_idx", "team_idx", "rank"]], on="team_idx")
    flags = _injury_flags(rng, len(roster), GAMES_PER_TEAM)
    lines["injured"] = flags[lines["player_idx"], lines["team_game_no"]]
    lines["overtimes"] = games["overtimes"].to_numpy()[lines["game_idx"]]
    lines = _statuses(rng, lines)
    seconds = _minutes(rng, lines)
    stats = _draw_stats(rng, roster.iloc[lines["player_idx"]].reset_index(drop=True), seconds / 60)
    _break_ties(lines, stats)
    played = lines["played"].to_numpy()
    for name, values in stats.items():
        lines[name] = np.where(played, values, np.nan)
    lines["seconds"] = np.where(played, seconds, np.nan)
    lines["plus_minus"] = np.where(played, _plus_minus(rng, lines), np.nan)
    return lines


def _draw_stats(
    rng: np.random.Generator, players: pd.DataFrame, minutes: np.ndarray
) -> dict[str, np.ndarray]:
    """Counting stats from per-minute rates; makes are binomial in attempts so made <= attempted."""
    fga = rng.poisson(players["fga_rate"] * minutes)
    tpa = rng.binomial(fga, players["three_share"])
    tpm = rng.binomial(tpa, players["p3"])
    fgm = tpm + rng.binomial(fga - tpa, players["p2"])
    fta = rng.poisson(players["fta_rate"] * minutes)
    ftm = rng.binomial(fta, players["ft_pct"])
    oreb = rng.poisson(players["oreb_rate"] * minutes)
    dreb = rng.poisson(players["dreb_rate"] * minutes)
    return {
        "fga": fga, "fgm": fgm, "tpa": tpa, "tpm": tpm, "fta": fta, "ftm": ftm,
        "oreb": oreb, "dreb": dreb, "reb": oreb + dreb,
        "ast": rng.poisson(players["ast_rate"] * minutes),
        "stl": rng.poisson(players["stl_rate"] * minutes),
        "blk": rng.poisson(players["blk_rate"] * minutes),
        "tov": rng.poisson(players["tov_rate"] * minutes),
        "pf": np.minimum(rng.poisson(players["pf_rate"] * minutes), 6),
        "pts": 2 * fgm + tpm + ftm,
    }  # fmt: skip


def _team_points(lines: pd.DataFrame, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line: the line's team points and the opponent's points in that game."""
    played = np.where(lines["played"].to_numpy(), points, 0)
    own = pd.Series(played).groupby([lines["game_idx"], lines["team_idx"]]).transform("sum").to_numpy()
    game_total = pd.Series(played).groupby(lines["game_idx"]).transform("sum").to_numpy()
    return own, game_total - own


def _break_ties(lines: pd.DataFrame, stats: dict[str, np.ndarray]) -> None:
    """A tied game gets one more made free throw for the home team's top-minutes player."""
    own, opp = _team_points(lines, stats["pts"])
    winner_ft = (own == opp) & lines["is_home"].to_numpy() & (lines["slot"].to_numpy() == 0)
    for name in ("fta", "ftm", "pts"):
        stats[name] = stats[name] + winner_ft


def _plus_minus(rng: np.random.Generator, lines: pd.DataFrame) -> np.ndarray:
    """Plus-minus near margin x share of minutes; the top player absorbs the rest so the sum is 5 x margin."""
    own, opp = _team_points(lines, lines["pts"].fillna(0).to_numpy())
    margin = own - opp
    seconds = lines["seconds"].fillna(0).to_numpy()
    length = (48 + 5 * lines["overtimes"].to_numpy()) * 60
    pm = np.round(margin * seconds / length + rng.normal(0, 4, len(lines)))
    pm = np.where(lines["played"].to_numpy(), pm, 0)
    residual = 5 * margin - pd.Series(pm).groupby([lines["game_idx"], lines["team_idx"]]).transform("sum")
    return pm + np.where(lines["slot"].to_numpy() == 0, residual.to_numpy(), 0)
