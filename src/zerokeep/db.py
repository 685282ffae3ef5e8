"""Database engines and sessions; commit and rollback happen here only.

engine = create_engine(settings)
sessions = session_factory(engine, hooks={"policy_changed": state.policy_changed})
async with unit_of_work(sessions) as session:
    ...  # services flush; the unit of work commits, or rolls back on error
    after_commit(session, wake_runner)     # runs once the commit succeeded; dropped on rollback
    run_hook_after_commit(session, "policy_changed")   # the factory's hook, once per commit

Callbacks registered with `after_commit` are synchronous, in-process notifications (drop a
cache, wake a runner): durable work goes into the transaction itself (a job row), so a crash
between the commit and the callback loses nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from zerokeep.kit.clock import Clock, SystemClock

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    # Purged archive rows must not linger in free pages (DESIGN.md invariant 5).
    "PRAGMA secure_delete=ON",
)


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and secure_delete on every connection."""
    url = make_url(database_url)
    options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _apply_sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_sqlite_transaction)
    return engine


def _apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions on its own (it would open them only before a
    # write, leaving earlier reads outside): SQLAlchemy's "begin" event does it explicitly.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    # A unit of work takes SQLite's write lock at its start (BEGIN IMMEDIATE), so what it reads
    # cannot change before it writes (the audit chain reads the last hash, then appends).
    mode = connection.get_execution_options().get(_SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


_SQLITE_BEGIN_OPTION = "zerokeep_sqlite_begin"


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


AfterCommit = Callable[[], None]
JOBS_EMBEDDED = "embedded"
_AFTER_COMMIT_KEY = "zerokeep_after_commit"
_HOOKS_KEY = "zerokeep_hooks"
_JOBS_ENGINE_KEY = "zerokeep_jobs_engine"
_CLOCK_KEY = "zerokeep_clock"


class UnitSession(Session):
    """The session class of every unit of work: it runs after-commit callbacks."""


@event.listens_for(UnitSession, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks: dict[object, AfterCommit] = session.info.pop(_AFTER_COMMIT_KEY, {})
    for callback in callbacks.values():
        callback()


@event.listens_for(UnitSession, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: SessionTransaction) -> None:
    # Every rollback of the outer transaction, also one before any statement ran (no real
    # rollback then). A savepoint's rollback keeps them: the outer transaction may commit.
    if not previous_transaction.nested:
        session.info.pop(_AFTER_COMMIT_KEY, None)


def session_factory(
    engine: AsyncEngine,
    *,
    hooks: Mapping[str, AfterCommit] | None = None,
    jobs_engine: str = JOBS_EMBEDDED,
    clock: Clock | None = None,
) -> async_sessionmaker[AsyncSession]:
    """Sessions for `engine`. `hooks` are named after-commit callbacks a service can ask for
    without knowing who listens (the shared mapping may be filled after the factory is made);
    `jobs_engine` tells `jobs.enqueue` where a job goes; `clock` is the time jobs are queued at."""
    info: dict[str, object] = {_HOOKS_KEY: hooks if hooks is not None else {}}
    info[_JOBS_ENGINE_KEY] = jobs_engine
    info[_CLOCK_KEY] = clock or SystemClock()
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=UnitSession, info=info
    )


def after_commit(session: AsyncSession, callback: AfterCommit, *, key: object = None) -> None:
    """Run `callback` after the session's transaction commits; it is dropped on rollback.
    Callbacks registered under the same `key` run once per commit."""
    pending: dict[object, AfterCommit] = session.info.setdefault(_AFTER_COMMIT_KEY, {})
    pending.setdefault(key if key is not None else object(), callback)


def run_hook_after_commit(session: AsyncSession, name: str) -> None:
    """Ask for the factory's hook `name` to run once after this transaction commits (nothing
    happens when the factory has no such hook: a CLI process has no cache to drop)."""
    hooks: Mapping[str, AfterCommit] = session.info.get(_HOOKS_KEY, {})

    def run() -> None:
        hook = hooks.get(name)
        if hook is not None:
            hook()

    after_commit(session, run, key=("hook", name))


def jobs_engine(session: AsyncSession) -> str:
    return str(session.info.get(_JOBS_ENGINE_KEY, JOBS_EMBEDDED))


def session_clock(session: AsyncSession) -> Clock:
    clock = session.info.get(_CLOCK_KEY)
    return clock if clock is not None else SystemClock()


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session, committed if the block succeeds and rolled back otherwise."""
    async with sessions() as session:
        try:
            if session.bind is not None and session.bind.dialect.name == "sqlite":
                await session.connection(execution_options={_SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


@asynccontextmanager
async def read_only(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session
