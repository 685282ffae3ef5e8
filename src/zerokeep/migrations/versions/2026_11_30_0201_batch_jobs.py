"""batch_jobs and batch_lines (the Batch API)

Revision ID: 0201_batch
Revises: 0101_stateful
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0201_batch"
down_revision = "0101_stateful"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_jobs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("api_key_id", sa.String(40), nullable=False),
        sa.Column("created_by_user_id", sa.String(40), nullable=True),
        sa.Column("endpoint", sa.String(64), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("job_metadata", sa.JSON(), nullable=True),
        sa.Column("input_files", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("timeout_hours", sa.Integer(), nullable=False),
        sa.Column("total_requests", sa.Integer(), nullable=False),
        sa.Column("succeeded_requests", sa.Integer(), nullable=False),
        sa.Column("failed_requests", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("output_file", sa.String(40), nullable=True),
        sa.Column("error_file", sa.String(40), nullable=True),
        sa.Column("encryption_key_id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_batch_jobs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_jobs")),
    )
    op.create_index(op.f("ix_batch_jobs_organization_id"), "batch_jobs", ["organization_id"])
    op.create_index(op.f("ix_batch_jobs_status"), "batch_jobs", ["status"])
    op.create_index(op.f("ix_batch_jobs_deleted_at"), "batch_jobs", ["deleted_at"])
    op.create_table(
        "batch_lines",
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("request", sa.LargeBinary(), nullable=True),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["batch_jobs.id"],
            name=op.f("fk_batch_lines_job_id_batch_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "line", name=op.f("pk_batch_lines")),
    )
    op.create_index("ix_batch_lines_job_status", "batch_lines", ["job_id", "status", "line"])


def downgrade() -> None:
    op.drop_index("ix_batch_lines_job_status", table_name="batch_lines")
    op.drop_table("batch_lines")
    op.drop_index(op.f("ix_batch_jobs_deleted_at"), table_name="batch_jobs")
    op.drop_index(op.f("ix_batch_jobs_status"), table_name="batch_jobs")
    op.drop_index(op.f("ix_batch_jobs_organization_id"), table_name="batch_jobs")
    op.drop_table("batch_jobs")
