"""The 30 NBA franchises of the 2021-22 season, as the raw tables name them.

The demo season needs real tricodes and NBA.com team ids because the pipeline's ids are built from them
(`YYYYMMDD_AWAY_HOME` game ids, `home_team_id` in the schedule), so a demo row must look like a real one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    """One franchise: NBA.com tricode and team id, city and nickname."""

    tricode: str
    team_id: int
    city: str
    name: str

    @property
    def full_name(self) -> str:
        """Name as the schedule and odds feeds print it, e.g. "Milwaukee Bucks"."""
        return f"{self.city} {self.name}"


TEAMS: tuple[Team, ...] = (
    Team("ATL", 1610612737, "Atlanta", "Hawks"),
    Team("BKN", 1610612751, "Brooklyn", "Nets"),
    Team("BOS", 1610612738, "Boston", "Celtics"),
    Team("CHA", 1610612766, "Charlotte", "Hornets"),
    Team("CHI", 1610612741, "Chicago", "Bulls"),
    Team("CLE", 1610612739, "Cleveland", "Cavaliers"),
    Team("DAL", 1610612742, "Dallas", "Mavericks"),
    Team("DEN", 1610612743, "Denver", "Nuggets"),
    Team("DET", 1610612765, "Detroit", "Pistons"),
    Team("GSW", 1610612744, "Golden State", "Warriors"),
    Team("HOU", 1610612745, "Houston", "Rockets"),
    Team("IND", 1610612754, "Indiana", "Pacers"),
    Team("LAC", 1610612746, "LA", "Clippers"),
    Team("LAL", 1610612747, "Los Angeles", "Lakers"),
    Team("MEM", 1610612763, "Memphis", "Grizzlies"),
    Team("MIA", 1610612748, "Miami", "Heat"),
    Team("MIL", 1610612749, "Milwaukee", "Bucks"),
    Team("MIN", 1610612750, "Minnesota", "Timberwolves"),
    Team("NOP", 1610612740, "New Orleans", "Pelicans"),
    Team("NYK", 1610612752, "New York", "Knicks"),
    Team("OKC", 1610612760, "Oklahoma City", "Thunder"),
    Team("ORL", 1610612753, "Orlando", "Magic"),
    Team("PHI", 1610612755, "Philadelphia", "76ers"),
    Team("PHX", 1610612756, "Phoenix", "Suns"),
    Team("POR", 1610612757, "Portland", "Trail Blazers"),
    Team("SAC", 1610612758, "Sacramento", "Kings"),
    Team("SAS", 1610612759, "San Antonio", "Spurs"),
    Team("TOR", 1610612761, "Toronto", "Raptors"),
    Team("UTA", 1610612762, "Utah", "Jazz"),
    Team("WAS", 1610612764, "Washington", "Wizards"),
)
