"""Which handler hides, restores and purges each kind of object."""

from __future__ import annotations

from zerokeep.lifecycle.accounts import ORGANIZATION_HANDLER, USER_HANDLER
from zerokeep.lifecycle.batch_kind import BATCH_JOB_HANDLER
from zerokeep.lifecycle.file_kind import FILE_HANDLER
from zerokeep.lifecycle.kinds import KindHandler, ObjectKind

HANDLERS: dict[str, KindHandler] = {
    ObjectKind.FILE: FILE_HANDLER,
    ObjectKind.BATCH_JOB: BATCH_JOB_HANDLER,
    ObjectKind.ORGANIZATION: ORGANIZATION_HANDLER,
    ObjectKind.USER: USER_HANDLER,
}


def handler_for(kind: str) -> KindHandler:
    return HANDLERS[kind]
