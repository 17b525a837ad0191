"""The benches' databases: a fresh one per run, SQLite in a temporary directory or PostgreSQL
dropped and created again, handed to the bench's child process through its environment; and
copies of a prepared one, so that several servers each start from the same data."""

from __future__ import annotations

import os

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def fresh_database(backend: str, env: dict, *, sqlite_path: str, pg_name: str) -> dict:
    """`env` with DATABASE_URL pointing at an empty database: the file `sqlite_path` (not yet
    there), or the PostgreSQL database `pg_name` on the admin server, dropped and created."""
    if backend == "sqlite":
        return dict(env, DATABASE_URL=f"sqlite:///{sqlite_path}")
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {pg_name}")
        conn.execute(f"CREATE DATABASE {pg_name}")
    return dict(env, DATABASE_URL=_pg_url(pg_name))


def copy_database(database_url: str, name: str) -> str:
    """A copy of the (idle) database at `database_url` named `name` (a sibling file for SQLite, a
    database made from it as template on PostgreSQL); returns the copy's DATABASE_URL."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        source_path = database_url.removeprefix("sqlite:///")
        target_path = os.path.join(os.path.dirname(source_path), f"{name}.sqlite3")
        # The backup API copies a consistent image, whatever is still in the WAL file.
        with sqlite3.connect(source_path) as source, sqlite3.connect(target_path) as target:
            source.backup(target)
        return f"sqlite:///{target_path}"
    import psycopg

    template = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return _pg_url(name)


def copy_sqlite_into_postgresql(sqlite_path: str, database_url: str) -> int:
    """Copy every row of a SQLite database into a PostgreSQL database migrated to the same schema
    (same migrations), replacing what the migrations put there; returns the rows copied.

    COPY is thousands of times faster than making the same rows again through the application,
    whose ~150 round trips per declaration are what makes a PostgreSQL preparation slow. Values
    travel as SQLite stores them (0/1 booleans, ISO datetimes in UTC, JSON text), which is what
    PostgreSQL's input functions read; foreign keys are checked at commit (Django declares them
    DEFERRABLE INITIALLY DEFERRED), and every identity sequence is moved past the copied rows."""
    import sqlite3

    import psycopg

    source = sqlite3.connect(sqlite_path)
    copied = 0
    try:
        with psycopg.connect(database_url) as conn:
            conn.execute("SET TIME ZONE 'UTC'")
            tables = [row[0] for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            for table in tables:
                columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
                if not columns:
                    raise RuntimeError(f"{table} is not in {sqlite_path}: the two databases were not migrated alike")
                names = ", ".join(f'"{c}"' for c in columns)
                with conn.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in source.execute(f'SELECT {names} FROM "{table}"'):
                        copy.write_row(row)
                        copied += 1
            with_id = {row[0] for row in conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'")}
            for table in sorted(with_id & set(tables)):
                sequence = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"']).fetchone()
                if sequence[0]:
                    conn.execute(f'SELECT setval(%s, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"', [sequence[0]])
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("ANALYZE")  # the planner's statistics, as autovacuum would have them on a database in use
    finally:
        source.close()
    return copied


LIMITED_ROLE = "zhicheng_bench_limited"


def limited_url(database_url: str, limit: int) -> str:
    """The URL of this PostgreSQL database for a role that may hold at most `limit` connections.

    A database's CONNECTION LIMIT does not bind superusers, which the admin URL's role usually is:
    the limit is put on a role of its own (not a superuser), given the rights on the tables."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [LIMITED_ROLE]).fetchone():
            conn.execute(f"CREATE ROLE {LIMITED_ROLE} LOGIN")
        conn.execute(f"ALTER ROLE {LIMITED_ROLE} CONNECTION LIMIT {int(limit)}")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"GRANT ALL ON SCHEMA public TO {LIMITED_ROLE}")
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {LIMITED_ROLE}")
        conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {LIMITED_ROLE}")
    scheme, rest = database_url.split("://", 1)
    return f"{scheme}://{LIMITED_ROLE}@{rest.split('@', 1)[-1]}"


def drop_limited_role() -> None:
    """After the databases it had rights on are dropped."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {LIMITED_ROLE}")


def drop_database(database_url: str) -> None:
    """Drop a PostgreSQL database the bench made (SQLite files go with their temporary directory)."""
    if database_url.startswith("sqlite:///"):
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database_url.rsplit('/', 1)[1]} WITH (FORCE)")


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
