"""batch_jobs and batch_lines: the Batch API's jobs (a stateful store, one of the two doors).

A job's lines hold the request body and, once done, the result or our own error message,
both sealed under the job's data key (AES-256-GCM, `encryption_key_id`): the rows are as
unreadable as the blobs once the key is destroyed. A line is finished (`status`, `result`)
in the same transaction as its outcome, so a `kill -9` loses no finished line and repeats
When every line is done, the output and error files are written and the bodies are dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from zerokeep.models.base import Base, UTCDateTime


class BatchJob(Base):
    __tablename__ = "batch_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    api_key_id: Mapped[str] = mapped_column(String(40))
    created_by_user_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    endpoint: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Caller-given labels: kept as sent, like a file name (a stateful product's data).
    job_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    input_files: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32), index=True)
    timeout_hours: Mapped[int] = mapped_column(Integer)
    total_requests: Mapped[int] = mapped_column(Integer, default=0)
    succeeded_requests: Mapped[int] = mapped_column(Integer, default=0)
    failed_requests: Mapped[int] = mapped_column(Integer, default=0)
    # Why input could not be read (our own words; never content), with how many lines.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    output_file: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error_file: Mapped[str | None] = mapped_column(String(40), nullable=True)
    encryption_key_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)


class BatchLine(Base):
    __tablename__ = "batch_lines"
    __table_args__ = (Index("ix_batch_lines_job_status", "job_id", "status", "line"),)

    job_id: Mapped[str] = mapped_column(
        ForeignKey("batch_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, succeeded, failed
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    request: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
    result: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # sealed
