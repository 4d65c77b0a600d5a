"""Loading pipeline.toml: parse the TOML, check every reference, identifier and dependency, and build the
frozen ``Pipeline``. A broken file is a ``ConfigError`` whose message names the key and the fix, so the
plugin can turn it into a usage error.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import date
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from harness.declaration import rules
from harness.declaration.model import (
    EXPECTED_DATES,
    ORDERS,
    SEVERITIES,
    Chain,
    Phase,
    Pipeline,
    Presence,
    Processor,
    RowRequirement,
    Schedule,
    ScriptsPreflight,
    Season,
    Seed,
    Table,
)
from harness.errors import ConfigError

TABLE_KEYS = {
    "dataset",
    "entities",
    "reconcile",
    "date_column",
    "grain",
    "columns",
    "game_id_column",
    "team_columns",
    "expected_dates",
    "bootstrap_placeholders",
    "ranges",
    "present",
    "partition_coverage",
    "quality_column",
    "partition_column",
    "partition_lookback_days",
}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,1023}")


def load_pipeline(path: str | Path, check_rules: bool = True) -> Pipeline:
    """Read and validate a pipeline declaration.

    ``check_rules=False`` leaves out parsing the tables' expected-row and reconciliation SQL with sqlglot
    (0.3 s, most of a load): for the reference jobs and the seed step, which never read those rules and
    start once per processor; the harness checks them whenever it loads the declaration.

    Raises:
        ConfigError: one line per problem, each naming the key and what to do.
    """
    path = Path(path)
    raw = read_declaration(path)
    problems: list[str] = []
    pipeline = _Builder(path, raw, problems, check_rules).build()
    if problems:
        more = f" (+{len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(f"{path}: {problems[0]}{more}")
    assert pipeline is not None
    return pipeline


ENTRIES = ("tables", "chains", "phases", "processors")
"""Sections of named entries: a declaration that extends another changes an entry key by key."""


def read_declaration(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The TOML of ``path``, on top of the declaration it ``extends`` (a path relative to it), if any.

    The extending file wins key by key: inside each entry of ``[tables]``, ``[chains]``, ``[phases]``
    and ``[processors]``, and inside every other section (``[pipeline]``, ``[processor_defaults]``...).
    So a production declaration states only what differs from the reference one: its commands, its
    partitioning, its project.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        where = f" (extended by {seen[-1]})" if seen else ""
        raise ConfigError(f"{path}: pipeline file not found{where}; pass --pipeline PATH") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from None
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    if not isinstance(base_name, str):
        raise ConfigError(f"{path}: [extends] expected the path of another declaration, got {base_name!r}")
    base_path = (path.parent / base_name).resolve()
    if base_path in (*seen, path.resolve()):
        raise ConfigError(f"{path}: extends {base_name}, which extends it back; remove one of the two")
    return _merged(read_declaration(base_path, (*seen, path.resolve())), raw)


def _merged(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for section, value in child.items():
        below = base.get(section)
        if not isinstance(value, dict) or not isinstance(below, dict):
            merged[section] = value
        elif section in ENTRIES:
            merged[section] = {
                **below,
                **{
                    k: {**below[k], **v} if isinstance(below.get(k), dict) and isinstance(v, dict) else v
                    for k, v in value.items()
                },
            }
        else:
            merged[section] = {**below, **value}
    return merged


class _Builder:
    """Turns the parsed TOML into a Pipeline, recording problems instead of stopping at the first."""

    def __init__(self, path: Path, raw: dict[str, Any], problems: list[str], check_rules: bool) -> None:
        self.path = path
        self.raw = raw
        self.problems = problems
        self.check_rules = check_rules

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"[{key}] {message}")

    def section(self, key: str) -> dict[str, Any]:
        value = self.raw.get(key)
        if not isinstance(value, dict):
            self.problem(key, "missing section; add it (see the README's pipeline.toml reference)")
            return {}
        return value

    def require(self, where: str, table: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
        value = table.get(key)
        if value is None:
            self.problem(f"{where}.{key}", "missing key; add it")
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.problem(f"{where}.{key}", f"expected {names}, got {type(value).__name__} {value!r}")
            return None
        return value

    def identifier(self, where: str, value: Any) -> str:
        if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
            self.problem(
                where, f"{value!r} is not a plain identifier (letters, digits, underscore); rename it"
            )
            return "_invalid_"
        return value

    def identifiers(self, where: str, values: Any) -> tuple[str, ...]:
        if not isinstance(values, list):
            self.problem(where, f"expected a list of names, got {values!r}")
            return ()
        return tuple(self.identifier(f"{where}[{i}]", v) for i, v in enumerate(values))

    def reference(self, where: str, name: str, known: Iterable[str], what: str) -> None:
        known = list(known)
        if name not in known:
            close = get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; declare [{what}.{name}] or fix the name"
            self.problem(where, f"unknown {what[:-1] if what.endswith('s') else what} {name!r}{hint}")

    def build(self) -> Pipeline | None:
        head = self.section("pipeline")
        datasets = {
            key: self.identifier(f"datasets.{key}", value) for key, value in self.section("datasets").items()
        }
        seasons = self.seasons()
        tables = self.tables(datasets)
        schedule = self.schedule(tables)
        chains, virtual = self.chains(tables)
        processors = self.processors(tables)
        phases = self.phases(processors, tables)
        seed = self.seed()
        blocks = rules.sql_blocks(self.raw.get("sql", {}), self.problem)
        if self.check_rules:
            rules.check_rules(tables, blocks, self.problem)
        bootstrap_days = self.require("pipeline", head, "bootstrap_days", int)
        run_history = self.require("pipeline", head, "run_history", str)
        corrections = self.raw.get("gameplan", {}).get("corrections", [])
        if not isinstance(corrections, list) or not all(isinstance(c, str) for c in corrections):
            self.problem("gameplan.corrections", "expected a list of strings")
            corrections = []
        scripts_project = head.get("scripts_project")
        if scripts_project is not None and not isinstance(scripts_project, str):
            self.problem("pipeline.scripts_project", "expected the project id as a string")
        changes = self.raw.get("changes", {})
        rewritten = self.identifiers("changes.rewritten_columns", changes.get("rewritten_columns", []))
        if run_history is not None:
            self.reference("pipeline.run_history", run_history, tables, "tables")
        price = self.price(head)
        if self.problems:
            return None
        return Pipeline(
            path=self.path,
            name=str(head.get("name", self.path.stem)),
            bootstrap_days=bootstrap_days,
            datasets=datasets,
            seasons=seasons,
            schedule=schedule,
            run_history=run_history,
            tables=tables,
            chains=chains,
            virtual_sources=virtual,
            phases=phases,
            seed=seed,
            sql=blocks,
            gameplan_corrections=tuple(corrections),
            scripts_project=scripts_project,
            processors=processors,
            **price,
            rewritten_columns=rewritten,
        )

    def price(self, head: dict[str, Any]) -> dict[str, Any]:
        """``usd_per_tib`` (a positive number) and ``usd_per_tib_as_of`` (its date), both or neither."""
        price, as_of = head.get("usd_per_tib"), head.get("usd_per_tib_as_of")
        if price is None and as_of is None:
            return {}
        valid = isinstance(price, int | float) and not isinstance(price, bool) and price > 0
        if not valid:
            self.problem(
                "pipeline.usd_per_tib", f"expected the on-demand price per TiB in USD, got {price!r}"
            )
        try:
            date.fromisoformat(str(as_of))
        except ValueError:
            self.problem(
                "pipeline.usd_per_tib_as_of", f"expected the price's date (YYYY-MM-DD), got {as_of!r}"
            )
            valid = False
        if not valid or not isinstance(price, int | float):
            return {}
        return {"usd_per_tib": float(price), "usd_per_tib_as_of": str(as_of)}

    def seasons(self) -> tuple[Season, ...]:
        seasons = []
        for key, value in self.section("seasons").items():
            where = f"seasons.{key}"
            if not key.isdigit() or not isinstance(value, dict):
                self.problem(where, "expected `YEAR = { opener = YYYY-MM-DD, last_day = YYYY-MM-DD }`")
                continue
            opener = self.require(where, value, "opener", date)
            last_day = self.require(where, value, "last_day", date)
            if opener and last_day:
                if last_day <= opener:
                    self.problem(where, "last_day must come after opener")
                seasons.append(Season(int(key), opener, last_day))
        return tuple(sorted(seasons, key=lambda s: s.opener))

    def tables(self, datasets: dict[str, str]) -> dict[str, Table]:
        tables = {}
        for name, spec in self.section("tables").items():
            where = f"tables.{name}"
            self.identifier(where, name)
            if not isinstance(spec, dict):
                self.problem(where, "expected a table of keys (dataset, date_column, grain)")
                continue
            dataset_key = self.require(where, spec, "dataset", str)
            if dataset_key is not None:
                self.reference(f"{where}.dataset", dataset_key, datasets, "datasets")
            date_column = self.require(where, spec, "date_column", str)
            grain = self.require(where, spec, "grain", list)
            game_id = spec.get("game_id_column")
            quality = spec.get("quality_column")
            for key in sorted(set(spec) - TABLE_KEYS):
                self.problem(f"{where}.{key}", "unknown key; remove it or fix its spelling")
            expected = spec.get("expected_dates", "game_dates")
            if expected not in EXPECTED_DATES:
                self.problem(
                    f"{where}.expected_dates", f"{expected!r} is not one of {', '.join(EXPECTED_DATES)}"
                )
            tables[name] = Table(
                name=name,
                dataset=datasets.get(dataset_key or "", "_invalid_"),
                date_column=self.identifier(f"{where}.date_column", date_column) if date_column else "",
                grain=self.identifiers(f"{where}.grain", grain) if grain is not None else (),
                columns=self.identifiers(f"{where}.columns", spec.get("columns", [])),
                game_id_column=self.identifier(f"{where}.game_id_column", game_id) if game_id else None,
                team_columns=self.identifiers(f"{where}.team_columns", spec.get("team_columns", [])),
                expected_dates=str(expected),
                bootstrap_placeholders=spec.get("bootstrap_placeholders", False) is True,
                ranges=self.ranges(f"{where}.ranges", spec.get("ranges", {})),
                present=self.presence(f"{where}.present", spec.get("present", {})),
                partition_coverage=spec.get("partition_coverage", False) is True,
                **self.partitioning(where, spec),
                entities=rules.entity_rule(f"{where}.entities", spec.get("entities"), self.problem),
                reconcile=rules.reconciliations(
                    f"{where}.reconcile", spec.get("reconcile", []), self.problem
                ),
                quality_column=self.identifier(f"{where}.quality_column", quality) if quality else None,
            )
        return tables

    def partitioning(self, where: str, spec: dict[str, Any]) -> dict[str, Any]:
        """``partition_column`` and ``partition_lookback_days`` (whole days, 0 or more; only with a column)."""
        column = spec.get("partition_column")
        lookback = spec.get("partition_lookback_days", 0)
        if not isinstance(lookback, int) or isinstance(lookback, bool) or lookback < 0:
            self.problem(
                f"{where}.partition_lookback_days", f"expected whole days, 0 or more, got {lookback!r}"
            )
            lookback = 0
        if lookback and not column:
            self.problem(f"{where}.partition_lookback_days", "needs partition_column (the column it widens)")
        if column is None:
            return {"partition_lookback_days": lookback}
        return {
            "partition_column": self.identifier(f"{where}.partition_column", column),
            "partition_lookback_days": lookback,
        }

    def ranges(self, where: str, spec: Any) -> dict[str, tuple[float, float]]:
        ranges = {}
        for column, bounds in spec.items() if isinstance(spec, dict) else []:
            numbers = isinstance(bounds, list) and all(
                isinstance(b, int | float) and not isinstance(b, bool) for b in bounds
            )
            if not numbers or len(bounds) != 2 or bounds[0] > bounds[1]:
                self.problem(f"{where}.{column}", f"expected [LOW, HIGH] numbers, got {bounds!r}")
                continue
            ranges[self.identifier(f"{where}.{column}", column)] = (float(bounds[0]), float(bounds[1]))
        if not isinstance(spec, dict):
            self.problem(where, "expected `{ column = [LOW, HIGH], ... }`")
        return ranges

    def presence(self, where: str, spec: Any) -> dict[str, Presence]:
        present = {}
        for column, rule in spec.items() if isinstance(spec, dict) else []:
            share = rule.get("min_share") if isinstance(rule, dict) else None
            if not isinstance(share, int | float) or not 0 < share <= 1:
                self.problem(f"{where}.{column}", "expected `{ min_share = 0.8, among = BOOL_COLUMN }`")
                continue
            among = rule.get("among")
            present[self.identifier(f"{where}.{column}", column)] = Presence(
                float(share), self.identifier(f"{where}.{column}.among", among) if among else None
            )
        if not isinstance(spec, dict):
            self.problem(where, "expected `{ column = { min_share = 0.8, among = BOOL_COLUMN } }`")
        return present

    def phases(self, processors: dict[str, Processor], tables: dict[str, Table]) -> dict[int, Phase]:
        """``[phases.N]``: each phase a processor names, with its steps, order and gate."""
        phases: dict[int, Phase] = {}
        for key, spec in self.section("phases").items():
            where = f"phases.{key}"
            if not key.isdigit() or not isinstance(spec, dict):
                self.problem(where, "expected `[phases.N]` with name, backfill_step and coverage_step")
                continue
            number = int(key)
            order = spec.get("order", "dependencies")
            if order not in ORDERS:
                self.problem(f"{where}.order", f"{order!r} is not one of {', '.join(ORDERS)}")
            needs = spec.get("needs_complete", [])
            if not isinstance(needs, list) or not all(isinstance(n, int) and 0 < n < number for n in needs):
                self.problem(f"{where}.needs_complete", "expected a list of earlier phase numbers, e.g. [3]")
                needs = []
            lock = spec.get("lock_minutes")
            if lock is not None and (not isinstance(lock, int) or isinstance(lock, bool) or lock <= 0):
                self.problem(f"{where}.lock_minutes", "expected a positive whole number of minutes")
                lock = None
            phases[number] = Phase(
                number=number,
                name=str(spec.get("name", f"Phase {number}")),
                backfill_step=self.require(where, spec, "backfill_step", str) or "",
                coverage_step=self.require(where, spec, "coverage_step", str) or "",
                order=str(order),
                needs_complete=tuple(needs),
                requires_rows=self.row_requirements(
                    f"{where}.requires_rows", spec.get("requires_rows", []), tables
                ),
                scripts_preflight=self.scripts_preflight(
                    f"{where}.scripts_preflight", spec.get("scripts_preflight"), number
                ),
                lock_minutes=lock,
            )
        named = {
            n
            for p in phases.values()
            for n in (*p.needs_complete, *([p.scripts_preflight.phase] if p.scripts_preflight else []))
        }
        for number in sorted(named - set(phases)):
            self.problem("phases", f"phase {number} is named but not declared; add [phases.{number}]")
        for processor in processors.values():
            if processor.phase not in phases:
                self.problem(
                    f"processors.{processor.name}.phase",
                    f"phase {processor.phase} is not declared; add [phases.{processor.phase}]",
                )
        return dict(sorted(phases.items()))

    def row_requirements(self, where: str, spec: Any, tables: dict[str, Table]) -> tuple[RowRequirement, ...]:
        """``requires_rows = [{ table = NAME, consequence = TEXT }]``."""
        if not isinstance(spec, list):
            self.problem(where, "expected a list of `{ table = NAME, consequence = TEXT }`")
            return ()
        found = []
        for i, item in enumerate(spec):
            table = item.get("table") if isinstance(item, dict) else None
            consequence = item.get("consequence") if isinstance(item, dict) else None
            if not isinstance(table, str) or not isinstance(consequence, str):
                self.problem(f"{where}[{i}]", "expected `{ table = NAME, consequence = TEXT }`")
                continue
            self.reference(f"{where}[{i}].table", table, tables, "tables")
            found.append(RowRequirement(table, consequence))
        return tuple(found)

    def scripts_preflight(self, where: str, spec: Any, number: int) -> ScriptsPreflight | None:
        """``scripts_preflight = { phase = N, min_share = 0.95, after_bootstrap = true, name = TEXT }``."""
        if spec is None:
            return None
        phase = spec.get("phase") if isinstance(spec, dict) else None
        share = spec.get("min_share") if isinstance(spec, dict) else None
        if (
            not isinstance(phase, int)
            or not 0 < phase < number
            or not isinstance(share, int | float)
            or not 0 < share <= 1
        ):
            self.problem(
                where,
                "expected `{ phase = EARLIER_PHASE, min_share = 0.95, after_bootstrap = true, name = TEXT }`",
            )
            return None
        return ScriptsPreflight(
            phase=phase,
            min_share=float(share),
            after_bootstrap=spec.get("after_bootstrap", False) is True,
            name=str(spec.get("name", f"the Phase {number} scripts' own pre-flight")),
        )

    def seed(self) -> Seed | None:
        """``[seed]``: the optional command that fills an empty embedded warehouse."""
        spec = self.raw.get("seed")
        if spec is None:
            return None
        if not isinstance(spec, dict):
            self.problem("seed", "expected a table with `command` (and optional cwd, env, timeout_seconds)")
            return None
        env = spec.get("env", {})
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            self.problem("seed.env", "expected a table of strings")
            env = {}
        timeout = spec.get("timeout_seconds", 900)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            self.problem("seed.timeout_seconds", "must be a positive number of seconds")
            timeout = 900
        return Seed(
            command=self.argv("seed.command", spec.get("command")),
            cwd=str(spec.get("cwd", "{repo}")),
            env=dict(env),
            timeout_seconds=float(timeout),
        )

    def schedule(self, tables: dict[str, Table]) -> Schedule:
        spec = self.section("schedule")
        table = self.require("schedule", spec, "table", str) or ""
        if table:
            self.reference("schedule.table", table, tables, "tables")
        final_status = self.require("schedule", spec, "final_status", int)
        columns = {
            key: self.identifier(f"schedule.{key}", self.require("schedule", spec, key, str))
            for key in ("status_column", "home_team_column", "away_team_column")
        }
        return Schedule(table=table, final_status=final_status or 0, **columns)

    def chains(self, tables: dict[str, Table]) -> tuple[dict[str, Chain], dict[str, str]]:
        chains: dict[str, Chain] = {}
        specs = self.section("chains")
        virtual: dict[str, str] = {}
        for name, spec in self.raw.get("virtual_sources", {}).items():
            where = f"virtual_sources.{self.identifier('virtual_sources', name)}"
            derives = spec.get("derives_from") if isinstance(spec, dict) else None
            if not isinstance(derives, str):
                self.problem(where, "expected `{ derives_from = CHAIN }`")
                continue
            self.reference(f"{where}.derives_from", derives, specs, "chains")
            virtual[name] = derives
        for name, spec in specs.items():
            where = f"chains.{self.identifier('chains', name)}"
            if not isinstance(spec, dict):
                self.problem(where, "expected `severity` and `sources`")
                continue
            severity = self.require(where, spec, "severity", str)
            if severity is not None and severity not in SEVERITIES:
                self.problem(f"{where}.severity", f"{severity!r} is not one of {', '.join(SEVERITIES)}")
            sources = self.identifiers(f"{where}.sources", spec.get("sources"))
            if not sources:
                self.problem(f"{where}.sources", "a chain needs at least one source")
            for i, source in enumerate(sources):
                self.reference(f"{where}.sources[{i}]", source, [*tables, *virtual], "tables")
                if virtual.get(source) == name:
                    self.problem(
                        f"{where}.sources[{i}]", f"virtual source {source!r} derives from its own chain"
                    )
            chains[name] = Chain(name=name, severity=severity or "info", sources=sources)
        return chains, virtual

    def processors(self, tables: dict[str, Table]) -> dict[str, Processor]:
        defaults = self.raw.get("processor_defaults", {})
        specs = self.section("processors")
        procs: dict[str, Processor] = {}
        for name, spec in specs.items():
            where = f"processors.{self.identifier('processors', name)}"
            spec = {**defaults, **spec} if isinstance(spec, dict) else {}
            phase = self.require(where, spec, "phase", int)
            output = self.require(where, spec, "output", str) or ""
            if output:
                self.reference(f"{where}.output", output, tables, "tables")
            upstream = self.identifiers(f"{where}.upstream", spec.get("upstream", []))
            for i, up in enumerate(upstream):
                self.reference(f"{where}.upstream[{i}]", up, specs, "processors")
            command = self.argv(f"{where}.command", self.require(where, spec, "command", list) or [])
            dates_command = spec.get("dates_command")
            dates_command = self.argv(f"{where}.dates_command", dates_command) if dates_command else ()
            env = spec.get("env", {})
            if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
                self.problem(f"{where}.env", "expected a table of strings")
                env = {}
            timeout = self.require(where, spec, "timeout_seconds", (int, float))
            if timeout is not None and timeout <= 0:
                self.problem(f"{where}.timeout_seconds", "must be a positive number of seconds")
            procs[name] = Processor(
                name=name,
                phase=phase or 0,
                output=output,
                upstream=upstream,
                command=command,
                cwd=str(spec.get("cwd", "{repo}")),
                env=dict(env),
                timeout_seconds=float(timeout or 0),
                run_history_name=spec.get("run_history_name"),
                dates_command=dates_command,
            )
        return {name: procs[name] for name in self.order(procs)}

    def argv(self, where: str, template: Any) -> tuple[str, ...]:
        if not template or not isinstance(template, list) or not all(isinstance(p, str) for p in template):
            self.problem(where, "expected a non-empty list of strings (an argv template)")
            return ()
        return tuple(template)

    def order(self, procs: dict[str, Processor]) -> list[str]:
        """Topological order that keeps declaration order where the graph allows; a cycle is a problem."""
        done: list[str] = []
        pending = dict(procs)
        while pending:
            ready = next(
                (n for n, p in pending.items() if all(u in done or u not in procs for u in p.upstream)), None
            )
            if ready is None:
                cycle = ", ".join(sorted(_find_cycle(pending)))
                self.problem(
                    "processors", f"dependency cycle among {cycle}; remove one of their upstream entries"
                )
                return [*done, *pending]
            done.append(ready)
            del pending[ready]
        return done


def _find_cycle(pending: dict[str, Processor]) -> list[str]:
    """The processors of one cycle among ``pending`` (each has an unfinished upstream, so one exists)."""
    path: list[str] = []
    name = next(iter(pending))
    while name not in path:
        path.append(name)
        name = next(u for u in pending[name].upstream if u in pending)
    return path[path.index(name) :]
