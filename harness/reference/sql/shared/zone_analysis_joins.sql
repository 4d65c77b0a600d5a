-- Shared by player_composite_factors and ml_feature_store_v2, in the FROM clause over players AS p: the
-- player's shot-zone profile (z) and his opponent's zone defence (td) on p.game_date, from the window's
-- Phase 4 rows.
  LEFT JOIN nba_precompute.player_shot_zone_analysis AS z
    ON z.analysis_date = p.game_date AND z.player_lookup = p.player_lookup
    AND z.analysis_date BETWEEN @start_date AND @end_date
  LEFT JOIN nba_precompute.team_defense_zone_analysis AS td
    ON td.analysis_date = p.game_date AND td.team_abbr = p.opponent_team_abbr
    AND td.analysis_date BETWEEN @start_date AND @end_date
