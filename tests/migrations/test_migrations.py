"""Alembic migrations on SQLite and PostgreSQL: empty -> head, every revision up, down and up
again, down to base, and a migrated schema that matches the ORM exactly (autogenerate finds
nothing to do). The rest of the suite copies a database migrated once per run (conftest.py)."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import zerokeep.models  # noqa: F401  (registers every table)
from zerokeep.db import create_engine
from zerokeep.migrations import runner
from zerokeep.models.base import Base

ORM_TABLES = set(Base.metadata.tables)


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(runner.alembic_config("sqlite://"))


def head_revision() -> str:
    head = scripts().get_current_head()
    assert head is not None
    return head


@pytest.fixture()
async def engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(empty_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def schema_differences(engine: AsyncEngine) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


class TestScripts:
    def test_one_linear_history_with_a_single_head(self) -> None:
        assert len(scripts().get_heads()) == 1
        revisions = list(scripts().walk_revisions())
        assert revisions[-1].down_revision is None
        for newer, older in itertools.pairwise(revisions):
            assert newer.down_revision == older.revision

    def test_file_names_are_date_and_slug(self) -> None:
        for revision in scripts().walk_revisions():
            assert revision.path is not None
            name = revision.path.rsplit("/", 1)[-1]
            assert re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.py", name), name


class TestUpgrade:
    async def test_empty_database_has_no_revision(self, engine: AsyncEngine) -> None:
        assert await runner.current_revision(engine) is None
        assert not await table_names(engine) & ORM_TABLES

    async def test_upgrade_from_empty_creates_every_table(self, engine: AsyncEngine) -> None:
        await runner.upgrade(engine)
        assert await runner.current_revision(engine) == head_revision()
        assert await table_names(engine) == ORM_TABLES | {"alembic_version"}

    async def test_migrated_schema_matches_the_orm(self, engine: AsyncEngine) -> None:
        await runner.upgrade(engine)
        assert await schema_differences(engine) == []

    async def test_upgrading_twice_is_a_no_op(self, engine: AsyncEngine) -> None:
        await runner.upgrade(engine)
        await runner.upgrade(engine)
        assert await runner.current_revision(engine) == head_revision()
        assert await schema_differences(engine) == []


class TestDowngrade:
    async def test_one_step_down_and_back_up(self, engine: AsyncEngine) -> None:
        await runner.upgrade(engine)
        previous = scripts().get_revision(head_revision()).down_revision
        await runner.downgrade(engine, "-1")
        assert await runner.current_revision(engine) == previous
        if previous is None:
            assert not await table_names(engine) & ORM_TABLES
        await runner.upgrade(engine)
        assert await runner.current_revision(engine) == head_revision()
        assert await table_names(engine) == ORM_TABLES | {"alembic_version"}
        assert await schema_differences(engine) == []

    async def test_every_revision_up_down_up(self, engine: AsyncEngine) -> None:
        """The stairway: each revision upgrades, downgrades back and upgrades again, in order,
        so every downgrade runs against the schema its upgrade made."""
        revisions = [revision.revision for revision in reversed(list(scripts().walk_revisions()))]
        previous: str | None = None
        for revision in revisions:
            await runner.upgrade(engine, revision)
            await runner.downgrade(engine, previous or "base")
            assert await runner.current_revision(engine) == previous
            await runner.upgrade(engine, revision)
            assert await runner.current_revision(engine) == revision
            previous = revision
        assert await schema_differences(engine) == []

    async def test_downgrade_to_base_removes_every_table(self, engine: AsyncEngine) -> None:
        await runner.upgrade(engine)
        await runner.downgrade(engine, "base")
        assert await runner.current_revision(engine) is None
        assert not await table_names(engine) & ORM_TABLES
