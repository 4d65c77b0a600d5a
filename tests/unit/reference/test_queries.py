"""The include lines of the reference SQL (harness.reference.queries): plain and with parameters, and the
mistakes that must fail loudly rather than make a wrong query."""

from __future__ import annotations

from importlib import resources

import pytest

from harness.reference.queries import KINDS, PLACEHOLDER, IncludeError, expand, processor_sql

SHARED = resources.files("harness.reference") / "sql" / "shared"
PLAIN = (SHARED / "injury_status.sql").read_text(encoding="utf-8").strip("\n")
PARAMETERS = "cte=player_zones, shooter=shooter_lookup"
"""What ``pbp_zones`` takes (its two placeholders)."""


def test_a_plain_include_is_the_shared_file_with_the_optional_comma() -> None:
    assert expand("WITH\n-- include: injury_status\nSELECT 1") == f"WITH\n{PLAIN}\nSELECT 1"
    assert expand("WITH\n-- include: injury_status,\nx AS (SELECT 1)") == f"WITH\n{PLAIN},\nx AS (SELECT 1)"


def test_an_indented_include_line_is_replaced_whole() -> None:
    assert expand("WITH\n    -- include: injury_status  \nSELECT 1") == f"WITH\n{PLAIN}\nSELECT 1"


def test_parameters_replace_their_placeholders() -> None:
    sql = expand(f"WITH\n-- include: pbp_zones({PARAMETERS}),\nx AS (SELECT 1)")
    assert "player_zones AS (" in sql and "GROUP BY game_id, shooter_lookup" in sql
    assert "{" not in sql and sql.endswith("),\nx AS (SELECT 1)")
    spaced = expand("-- include: pbp_zones( cte = player_zones ,shooter=shooter_lookup )")
    assert spaced == expand(f"-- include: pbp_zones({PARAMETERS})")


def test_other_comments_are_left_alone() -> None:
    sql = "-- includes: injury_status\n-- see include: injury_status\nSELECT 1"
    assert expand(sql) == sql


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-- include: no_such_block", "no shared block no_such_block"),
        ("-- include: pbp_zones", "no value for cte, no value for shooter"),
        ("-- include: pbp_zones(cte=z)", "no value for shooter"),
        (f"-- include: pbp_zones({PARAMETERS}, table=t)", "table is not used"),
        ("-- include: injury_status(cte=z)", "cte is not used"),
        ("-- include: pbp_zones(cte=z, cte=y, shooter=s)", "cte is given twice"),
        ("-- include: pbp_zones(cte=nba_raw.t, shooter=s)", "'cte=nba_raw.t' is not key=value"),
        ("-- include: pbp_zones(cte=z; DROP TABLE t, shooter=s)", "is not key=value"),
        ("-- include: pbp_zones(cte='z', shooter=s)", "is not key=value"),
        ("-- include: pbp_zones(cte=1z, shooter=s)", "is not key=value"),
        ("-- include: pbp_zones(cte, shooter=s)", "'cte' is not key=value"),
        ("-- include: pbp_zones(cte=z, shooter=s", "expected '-- include: NAME'"),
        ("-- include: pbp_zones (cte=z, shooter=s)", "expected '-- include: NAME'"),
        ("-- include: injury_status, game_lines", "expected '-- include: NAME'"),
        ("-- include:injury_status", "expected '-- include: NAME'"),
    ],
)
def test_a_bad_include_line_is_an_error_that_names_it(line: str, message: str) -> None:
    with pytest.raises(IncludeError) as raised:
        expand(f"WITH\n{line}\nSELECT 1")
    assert str(raised.value).startswith(repr(line)) and message in str(raised.value)


def test_every_processor_expands_to_sql_without_includes_or_placeholders() -> None:
    folders = [resources.files("harness.reference") / "sql" / kind for kind in KINDS]
    names = [f.name.removesuffix(".sql") for folder in folders for f in folder.iterdir()]
    assert len(names) == 10
    for name in names:
        sql = processor_sql(name)
        assert "-- include:" not in sql and not PLACEHOLDER.search(sql), name
