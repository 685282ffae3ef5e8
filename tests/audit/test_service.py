"""audit.service: the hash chain links every event, and any edit or removal is detected."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zerokeep.audit import service as audit_service
from zerokeep.audit.actions import CLI, SYSTEM, Actor, AuditAction
from zerokeep.db import create_engine, read_only, session_factory, unit_of_work
from zerokeep.models import AuditEvent


@pytest.fixture()
async def engine(migrated_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture()
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


async def record_five(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """Five events, in separate units of work, as the CLI and the app produce them."""
    steps = [
        (CLI, AuditAction.ORGANIZATION_CREATED, {"plan": "free"}),
        (CLI, AuditAction.PLAN_CHANGED, {"old": "free", "new": "scale"}),
        (Actor.user("usr_1"), AuditAction.ZDR_CHANGED, {"old": "off", "new": "active"}),
        (SYSTEM, AuditAction.KEY_CREATED, {"display_prefix": "zk_abcdefg"}),
        (CLI, AuditAction.KEY_REVOKED, {"display_prefix": "zk_abcdefg", "count": 1}),
    ]
    ids = []
    for actor, action, details in steps:
        async with unit_of_work(sessions) as session:
            event = await audit_service.record(
                session, actor, action, target="org_1", organization_id="org_1", **details
            )
            ids.append(event.id)
    return ids


async def verify(sessions: async_sessionmaker[AsyncSession]) -> audit_service.ChainReport:
    async with read_only(sessions) as session:
        return await audit_service.verify_chain(session)


async def tamper(
    sessions: async_sessionmaker[AsyncSession], event_id: int, **values: object
) -> None:
    async with unit_of_work(sessions) as session:
        await session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(**values))


class TestRecord:
    async def test_events_link_to_their_predecessor(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await record_five(sessions)
        async with read_only(sessions) as session:
            events = list(
                (await session.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars()
            )
        assert events[0].previous_hash == audit_service.GENESIS_HASH
        for previous, event in itertools.pairwise(events):
            assert event.previous_hash == previous.event_hash
        assert len({event.event_hash for event in events}) == 5

    async def test_stores_who_what_and_details(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await record_five(sessions)
        async with read_only(sessions) as session:
            latest = await audit_service.list_events(session, "org_1", limit=2)
            assert await audit_service.count_events(session) == 5
        assert [event.action for event in latest] == ["api_key.revoked", "api_key.created"]
        assert latest[0].actor == "cli"
        assert latest[1].actor == "system"
        assert latest[0].details == {"display_prefix": "zk_abcdefg", "count": 1}
        assert latest[0].occurred_at.tzinfo is not None

    async def test_list_events_filters_by_organization(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await record_five(sessions)
        async with unit_of_work(sessions) as session:
            await audit_service.record(
                session, CLI, AuditAction.USER_CREATED, target="usr_2", is_staff=False
            )
        async with read_only(sessions) as session:
            assert len(await audit_service.list_events(session, "org_1")) == 5
            assert len(await audit_service.list_events(session, "org_other")) == 0
            assert len(await audit_service.list_events(session)) == 6

    async def test_concurrent_appends_keep_one_chain(
        self,
        backend: str,
        request: pytest.FixtureRequest,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        async def append(index: int) -> None:
            async with unit_of_work(sessions) as session:
                await audit_service.record(
                    session, CLI, AuditAction.USER_CREATED, target=f"u{index}"
                )

        await asyncio.gather(*(append(index) for index in range(12)))
        report = await verify(sessions)
        assert report.is_intact, report.summary
        assert report.events_checked == 12


class TestVerifyChain:
    async def test_empty_log_is_intact(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        report = await verify(sessions)
        assert report == audit_service.ChainReport(True, 0)
        assert report.summary == "Audit chain intact: 0 events verified."

    async def test_untouched_chain_verifies(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await record_five(sessions)
        report = await verify(sessions)
        assert report == audit_service.ChainReport(True, 5)
        assert report.summary == "Audit chain intact: 5 events verified."

    async def test_edited_details_are_detected(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        await tamper(sessions, ids[2], details={"old": "off", "new": "off"})
        report = await verify(sessions)
        assert report == audit_service.ChainReport(False, 2, ids[2])
        assert f"BROKEN at event {ids[2]}" in report.summary

    async def test_edited_actor_is_detected(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        await tamper(sessions, ids[3], actor="user:usr_innocent")
        assert await verify(sessions) == audit_service.ChainReport(False, 3, ids[3])

    async def test_edited_action_of_the_first_event_is_detected(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        await tamper(sessions, ids[0], action=AuditAction.USER_CREATED.value)
        assert await verify(sessions) == audit_service.ChainReport(False, 0, ids[0])

    async def test_edited_target_is_detected(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        await tamper(sessions, ids[4], target="org_2")
        assert (await verify(sessions)).first_broken_event_id == ids[4]

    async def test_rehashed_row_breaks_the_next_link(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        await tamper(sessions, ids[1], event_hash="f" * 64)
        assert (await verify(sessions)).first_broken_event_id == ids[1]

    async def test_deleted_middle_row_is_detected(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        async with unit_of_work(sessions) as session:
            await session.execute(delete(AuditEvent).where(AuditEvent.id == ids[2]))
        assert await verify(sessions) == audit_service.ChainReport(False, 2, ids[3])

    async def test_deleted_first_row_is_detected(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await record_five(sessions)
        async with unit_of_work(sessions) as session:
            await session.execute(delete(AuditEvent).where(AuditEvent.id == ids[0]))
        assert await verify(sessions) == audit_service.ChainReport(False, 0, ids[1])
