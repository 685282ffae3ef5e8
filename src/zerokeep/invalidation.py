"""One place where a committed governance change drops what the gateway caches.

The gateway caches each key's organization policy. Every change of plan, privacy state, ZDR
request or key is audited (DESIGN.md invariant 7), so recording such an audit event (one of
audit.actions.POLICY_ACTIONS) is where the invalidation is asked for: no service has to
remember it, and it runs only after the transaction commits (done before, a concurrent call
could re-cache the old state).

    policy_changed(session)   # the factory's "policy_changed" hook runs after commit
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from zerokeep.db import run_hook_after_commit

POLICY_CHANGED = "policy_changed"


def policy_changed(session: AsyncSession) -> None:
    """Drop the gateway's policy cache once this session's transaction commits."""
    run_hook_after_commit(session, POLICY_CHANGED)
