"""dbt-duckdb plugin: makes the mmm_* SQL functions available inside dbt models and tests."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from python_udfs.sql_functions import register


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn)
