"""The benches' databases: a fresh one per run, SQLite in a temporary directory or PostgreSQL
dropped and created again, handed to the bench's child process through its environment."""

from __future__ import annotations

import os

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def fresh_database(backend: str, env: dict, *, sqlite_path: str, pg_name: str) -> dict:
    """`env` with DATABASE_URL pointing at an empty database: the file `sqlite_path` (not yet
    there), or the PostgreSQL database `pg_name` on the admin server, dropped and created."""
    if backend == "sqlite":
        return dict(env, DATABASE_URL=f"sqlite:///{sqlite_path}")
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {pg_name}")
        conn.execute(f"CREATE DATABASE {pg_name}")
    return dict(env, DATABASE_URL=PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{pg_name}")


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def load_region():
    """In the bench's child process, on its fresh database: migrate, then the demo region's
    structure and review plans. Returns the loader, for the bench to make people with."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhicheng.demo.loader import DemoLoader

    loader = DemoLoader(out=lambda *a: None)
    _, _, committees = loader.load_region()
    loader.review_plans(committees)
    return loader
