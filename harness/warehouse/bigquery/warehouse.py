"""The BigQuery warehouse: a project, its dataset mapping, the client and statement preparation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from harness.errors import WarehouseError
from harness.warehouse.bigquery.connection import BigQueryConnection
from harness.warehouse.bigquery.errors import failures, first_line, warehouse_error
from harness.warehouse.bigquery.statements import Statement, parameter_names

if TYPE_CHECKING:
    from google.cloud import bigquery

ClientFactory = Callable[[str, "str | None"], "bigquery.Client"]

# Dataset and table names the harness accepts: BigQuery allows more, the contract uses no more.
NAME = re.compile(r"[A-Za-z0-9_]+")
PROJECT = re.compile(r"[a-z0-9][a-z0-9.:-]*[a-z0-9]")
METADATA_VIEW = "INFORMATION_SCHEMA."
ENDPOINT = re.compile(r"https?://[^\s/]+(/\S*)?")
LOCATION = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
REGION = re.compile(r"region-[a-z0-9-]+")


def _default_client(project: str, location: str | None, endpoint: str | None = None) -> bigquery.Client:
    """Application default credentials, as ``gcloud auth application-default login`` leaves them; with an
    ``endpoint`` (a BigQuery-API emulator), anonymous credentials instead, since an emulator checks none and
    a developer's real credentials must never be sent to it."""
    from google.cloud import bigquery

    if endpoint is None:
        return bigquery.Client(project=project, location=location)
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    return bigquery.Client(
        project=project,
        location=location,
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options=ClientOptions(api_endpoint=endpoint),
    )


def one_location(datasets: Mapping[str, str], wanted: str | None) -> str | None:
    """The one location of ``datasets`` (``{dataset: location}``), checked against ``--location``; a
    WarehouseError naming each location and the fix when they differ. Locations compare without case."""
    places: dict[str, list[str]] = {}
    for dataset, location in sorted(datasets.items()):
        if location:
            places.setdefault(location.lower(), []).append(dataset)
    if len(places) > 1:
        where = "; ".join(f"{place}: {', '.join(names)}" for place, names in places.items())
        raise WarehouseError(
            f"the datasets are in different BigQuery locations ({where}); a query reads one location only: "
            "copy them into one location, or map the datasets (--dataset-prefix) to copies that share one"
        )
    found = next(iter(places), None)
    if wanted is not None and found is not None and wanted.lower() != found:
        raise WarehouseError(
            f"--location {wanted} but the datasets are in {found}; pass --location {found}, or leave it out"
        )
    if wanted is not None or found is None:
        return wanted
    return next(location for location in datasets.values() if location.lower() == found)


class BigQueryWarehouse:
    """A BigQuery project; ``connect()`` opens a session-backed connection with the official client."""

    kind = "bigquery"
    embedded = False
    partition_metadata = True

    def __init__(
        self,
        project: str,
        location: str | None = None,
        dataset_map: str | Mapping[str, str] | None = None,
        maximum_bytes_billed: int | None = None,
        labels: Mapping[str, object] | None = None,
        client_factory: ClientFactory | None = None,
        endpoint: str | None = None,
    ) -> None:
        if not PROJECT.fullmatch(project):
            raise WarehouseError(f"--project {project!r} is not a BigQuery project id (lowercase, digits, -)")
        if location is not None and not LOCATION.fullmatch(location):
            raise WarehouseError(
                f"--location {location!r} is not a BigQuery location (US, EU, us-west2, ...)"
            )
        if endpoint is not None and not ENDPOINT.fullmatch(endpoint):
            raise WarehouseError(f"--bigquery-endpoint {endpoint!r} is not an http(s) URL")
        self.project = project
        self.address = project
        self.location = location
        """The BigQuery location of sessions and jobs (``US``, ``us-west2``). Without ``--location`` it is
        the declared datasets' own, read by ``check_datasets``: a session's first statement decides its
        location, and one that names no dataset (``SELECT 1``, ``CREATE SCHEMA``) would put it in ``US``."""
        self.dataset_map = dataset_map
        self.maximum_bytes_billed = maximum_bytes_billed
        self.labels: dict[str, object] = dict(labels or {})
        self.statements_run = 0
        self.endpoint = endpoint
        self._client_factory = client_factory or partial(_default_client, endpoint=endpoint)
        self._client: bigquery.Client | None = None
        self._statements: dict[str, list[Statement]] = {}

    def dataset(self, name: str) -> str:
        """The user's dataset for the declaration's dataset ``name``."""
        if not NAME.fullmatch(name):
            raise WarehouseError(f"dataset name {name!r} is not a plain identifier")
        if isinstance(self.dataset_map, str):
            return f"{self.dataset_map}{name}"
        mapped = (self.dataset_map or {}).get(name, name)
        if not NAME.fullmatch(mapped):
            raise WarehouseError(f"dataset map sends {name!r} to {mapped!r}, not a plain identifier")
        return mapped

    def table_id(self, table_ref: str) -> str:
        """``project.dataset.table`` for the declaration's ``dataset.table``."""
        parts = table_ref.split(".")
        if len(parts) != 2 or not NAME.fullmatch(parts[1]):
            raise WarehouseError(f"table reference {table_ref!r} is not dataset.table")
        return f"{self.project}.{self.dataset(parts[0])}.{parts[1]}"

    def statements(self, sql: str) -> list[Statement]:
        """``sql`` split into statements with every ``dataset.table`` mapped and project-qualified; cached."""
        cached = self._statements.get(sql)
        if cached is None:
            try:
                trees = [tree for tree in sqlglot.parse(sql, read="bigquery") if tree is not None]
            except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as exc:
                raise WarehouseError(f"SQL does not parse as BigQuery: {first_line(exc)}") from None
            cached = self._statements[sql] = [self._qualify(tree) for tree in trees]
        return cached

    def _qualify(self, tree: exp.Expr) -> Statement:
        project = exp.to_identifier(self.project, quoted=True)
        for table in tree.find_all(exp.Table):
            dataset = table.args.get("db")
            # No dataset: a CTE, an UNNEST alias or a session temp table. A catalog: already explicit.
            if dataset is None or table.args.get("catalog") is not None:
                continue
            if not REGION.fullmatch(dataset.name):  # ``region-us``.INFORMATION_SCHEMA.JOBS is not mapped
                table.set("db", exp.to_identifier(self.dataset(dataset.name)))
            table.set("catalog", project.copy())
            if table.name.upper().startswith(METADATA_VIEW):
                # sqlglot reads ``dataset.INFORMATION_SCHEMA.X`` as one quoted name; BigQuery takes it
                # either way, but an emulator only recognises the view unquoted.
                table.this.set("quoted", False)
        for place in list(tree.find_all(exp.LocationProperty)):
            # sqlglot reads ``OPTIONS (location = 'EU')`` as a LocationProperty and writes it back as
            # ``LOCATION 'EU'``, which BigQuery refuses: keep it an option.
            place.replace(exp.Property(this=exp.var("location"), value=place.this))
        return Statement(tree.sql(dialect="bigquery"), parameter_names(tree))

    def check_datasets(self, names: Iterable[str]) -> None:
        """Fail in one line, before anything runs or is written, when the credentials, the project or one
        of the mapped datasets is missing, or when the datasets are not all in one location (a query reads
        one location only); otherwise every test would fail on its own with the same cause. Without a
        ``location``, the datasets' own becomes the location of every session and job."""
        client = self.client()
        found: dict[str, str] = {}
        for name in sorted(set(names)):
            try:
                dataset = client.get_dataset(f"{self.project}.{self.dataset(name)}")
            except failures() as exc:
                raise self.error(exc) from None
            found[self.dataset(name)] = dataset.location or ""
        self.location = one_location(found, self.location)

    def day_partitioning_problems(self, claims: Mapping[str, str]) -> dict[str, str]:
        """The tables' partitioning from the tables API (metadata, no job): each claimed table must be
        partitioned by DAY on its date column, or INFORMATION_SCHEMA.PARTITIONS does not count its rows per
        date (a month's partition, an ingestion-time one, or none)."""
        client = self.client()
        problems = {}
        for table_ref, column in sorted(claims.items()):
            try:
                partitioning = client.get_table(self.table_id(table_ref)).time_partitioning
            except failures() as exc:
                problems[table_ref] = str(self.error(exc))
                continue
            if partitioning is None:
                problems[table_ref] = "not partitioned by time"
            elif (partitioning.type_, partitioning.field) != ("DAY", column):
                field = partitioning.field or "_PARTITIONTIME (ingestion time)"
                problems[table_ref] = (
                    f"partitioned by {partitioning.type_} on {field}, not by DAY on {column}"
                )
        return problems

    def error(self, exc: BaseException) -> WarehouseError:
        """The one-line error for a failure of the client, BigQuery or the credentials."""
        return warehouse_error(exc, self.project, self.maximum_bytes_billed)

    def client(self) -> bigquery.Client:
        """The client, made once: it finds the credentials, which is where their absence shows."""
        if self._client is None:
            try:
                self._client = self._client_factory(self.project, self.location)
            except failures() as exc:
                raise self.error(exc) from None
        return self._client

    @property
    def scripts_take_parameters(self) -> bool:
        """Whether a multi-statement job binds query parameters: BigQuery's does; the bqemulator (an
        ``endpoint``) binds none inside one, so there ``script`` sends its statements one job each."""
        return self.endpoint is None

    @contextmanager
    def connect(self) -> Iterator[BigQueryConnection]:
        """A connection in a new BigQuery session, ended however the block ends."""
        conn = BigQueryConnection(self.client(), self)
        try:
            yield conn
        finally:
            conn.close()

    def exists(self) -> bool:
        """A project always exists for reading (the datasets are checked by ``check_datasets``)."""
        return True
