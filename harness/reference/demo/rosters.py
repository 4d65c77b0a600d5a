"""The demo season's rosters: 30 teams of generated players with unique lookups."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from harness.reference.teams import TEAMS

INJURIES = np.array(
    [
        "Left Ankle; Sprain", "Right Knee; Soreness", "Left Hamstring; Strain", "Lower Back; Tightness",
        "Right Foot; Contusion", "Left Calf; Strain", "Right Wrist; Sprain", "Illness; Non-COVID",
    ]
)  # fmt: skip

FIRST_NAMES = (  # noqa: SIM905 - a list literal would take one line per name
    "Aaron Adrian Alec Andre Anthony Bam Ben Brandon Bruce Caleb Cam Chris Cole Collin Damian Darius "
    "David Dejounte Dennis Derrick Devin Donovan Dorian Evan Fred Gary Grant Isaiah Ivica Jaden Jalen "
    "Jamal Jarrett Jaylen Jerami Jordan Josh Julius Justin Keldon Kevin Kyle Lamar Luke Malik Marcus "
    "Mason Miles Mitchell Nic Obi Patrick Quentin Reggie Robert Saddiq Terrance Tyler Tyrese Victor "
    "Wendell Zach"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Adams Allen Anderson Bagley Barnes Bates Bey Bogdan Bridges Brooks Brown Bryant Caldwell Carter "
    "Clarke Collins Craig Daniels Davis Dixon Dort Dunn Edwards Ellis Ferguson Fox Gordon Grant Green "
    "Hampton Harper Harris Hart Hayes Holiday Hunter Jackson Johnson Jones Kennard King Knox Lewis Lopez "
    "Martin McDaniels Mitchell Morris Murray Nance O'Neale Payton Porter Powell Reddish Robinson Rose "
    "Sexton Simons Smith St-Clair Temple Thomas Thompson Turner Walker Wallace Warren Washington Watson "
    "White Williams Wright Young"
).split()
POSITIONS = np.array(["G", "G", "G-F", "F", "F", "F-C", "C"])


def player_lookup(name: str) -> str:
    """The pipeline's player join key: lower-case letters only ("Tim Hardaway Jr." -> "timhardawayjr")."""
    return re.sub("[^a-z]", "", name.lower())


def _names_with_unique_lookups() -> list[str]:
    """First x last name combinations, keeping one name per lookup ("Ma Sonsmith" would clash otherwise)."""
    by_lookup: dict[str, str] = {}
    for first in FIRST_NAMES:
        for last in LAST_NAMES:
            by_lookup.setdefault(player_lookup(f"{first} {last}"), f"{first} {last}")
    return list(by_lookup.values())


def build_rosters(rng: np.random.Generator) -> pd.DataFrame:
    """15-17 players per team with unique lookups, stable ids and per-minute skill rates.

    `rank` orders a team's rotation (0 = best); the rates drive the box-score draws.
    """
    sizes = rng.integers(15, 18, len(TEAMS))
    n = int(sizes.sum())
    candidates = _names_with_unique_lookups()
    chosen = rng.choice(len(candidates), n, replace=False)
    suffix = np.where(rng.random(n) < 0.04, " Jr.", "")
    names = [candidates[c] + s for c, s in zip(chosen, suffix, strict=True)]
    team_idx = np.repeat(np.arange(len(TEAMS)), sizes)
    rank = np.concatenate([np.arange(s) for s in sizes])
    jerseys = np.concatenate([rng.choice(100, s, replace=False) for s in sizes])
    talent = np.clip(1.0 - rank / 16 + rng.normal(0, 0.12, n), 0.05, 1.2)
    team_shooting = rng.normal(0, 0.015, len(TEAMS))[team_idx]
    return pd.DataFrame(
        {
            "player_idx": np.arange(n),
            "team_idx": team_idx,
            "rank": rank,
            "full_name": names,
            "player_lookup": [player_lookup(name) for name in names],
            "position": rng.choice(POSITIONS, n),
            "jersey": jerseys.astype(str),
            "nba_player_id": 1626000 + rng.permutation(n) * 7,
            "fga_rate": 0.18 + 0.25 * talent,
            "three_share": rng.uniform(0.1, 0.55, n),
            "p2": np.clip(rng.normal(0.52, 0.04, n) + team_shooting, 0.35, 0.7),
            "p3": np.clip(rng.normal(0.35, 0.03, n) + team_shooting, 0.2, 0.45),
            "fta_rate": 0.03 + 0.08 * talent,
            "ft_pct": np.clip(rng.normal(0.77, 0.07, n), 0.5, 0.95),
            "oreb_rate": rng.uniform(0.01, 0.08, n),
            "dreb_rate": rng.uniform(0.08, 0.25, n),
            "ast_rate": rng.uniform(0.02, 0.14, n) * (0.6 + talent),
            "stl_rate": rng.uniform(0.015, 0.05, n),
            "blk_rate": rng.uniform(0.005, 0.06, n),
            "tov_rate": rng.uniform(0.03, 0.08, n),
            "pf_rate": rng.uniform(0.04, 0.1, n),
            "injury_part": rng.choice(INJURIES, n),
        }
    )
