"""Pydantic I/O of the Batch API, shaped like the official spec (`BatchJob` & co)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zerokeep.models import BatchJob
from zerokeep.retention.catalogue import Route

MAX_INLINE_REQUESTS = 10_000
MAX_REQUESTS = 100_000


class BatchStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    TIMEOUT_EXCEEDED = "TIMEOUT_EXCEEDED"
    CANCELLATION_REQUESTED = "CANCELLATION_REQUESTED"
    CANCELLED = "CANCELLED"


ACTIVE_STATUSES = (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.CANCELLATION_REQUESTED)

# The spec's ApiEndpoint lists /v1/conversations too: it is stateful here, not a batch target.
BATCH_ENDPOINTS: tuple[Route, ...] = (
    Route.CHAT_COMPLETIONS,
    Route.EMBEDDINGS,
    Route.FIM_COMPLETIONS,
    Route.MODERATIONS,
    Route.CHAT_MODERATIONS,
    Route.OCR,
    Route.CLASSIFICATIONS,
    Route.CHAT_CLASSIFICATIONS,
)

MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=32)]
MetadataValue = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    custom_id: str | None = Field(default=None, max_length=200)
    body: dict[str, Any]


class BatchJobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_files: list[str] | None = Field(default=None, max_length=100)
    requests: list[BatchRequest] | None = Field(default=None, max_length=MAX_INLINE_REQUESTS)
    endpoint: str
    model: str | None = Field(default=None, max_length=200)
    agent_id: str | None = None
    metadata: dict[MetadataKey, MetadataValue] | None = Field(default=None, max_length=16)
    timeout_hours: int = Field(default=24, ge=1, le=168)


class BatchError(BaseModel):
    message: str
    count: int = 1


def _epoch(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


class BatchJobObject(BaseModel):
    id: str
    object: str = "batch"
    input_files: list[str]
    metadata: dict[str, Any] | None = None
    endpoint: str
    model: str | None = None
    agent_id: str | None = None
    output_file: str | None = None
    error_file: str | None = None
    errors: list[BatchError]
    outputs: list[dict[str, Any]] | None = None
    status: BatchStatus
    created_at: int
    total_requests: int
    completed_requests: int
    succeeded_requests: int
    failed_requests: int
    started_at: int | None = None
    completed_at: int | None = None

    @classmethod
    def of(cls, job: BatchJob, counts: tuple[int, int] | None = None) -> BatchJobObject:
        """`counts` (succeeded, failed) of a running job, read from its lines."""
        succeeded, failed = counts or (job.succeeded_requests, job.failed_requests)
        return cls(
            id=job.id,
            input_files=list(job.input_files),
            metadata=job.job_metadata,
            endpoint=job.endpoint,
            model=job.model,
            output_file=job.output_file,
            error_file=job.error_file,
            errors=[BatchError(**error) for error in job.errors or []],
            status=BatchStatus(job.status),
            created_at=int(job.created_at.timestamp()),
            total_requests=job.total_requests,
            completed_requests=succeeded + failed,
            succeeded_requests=succeeded,
            failed_requests=failed,
            started_at=_epoch(job.started_at),
            completed_at=_epoch(job.completed_at),
        )


class BatchJobList(BaseModel):
    data: list[BatchJobObject]
    object: str = "list"
    total: int


class BatchJobDeleted(BaseModel):
    id: str
    object: str = "batch"
    deleted: bool = True
