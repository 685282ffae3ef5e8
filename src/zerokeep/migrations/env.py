"""Alembic environment: runs on the connection handed over by migrations.runner."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import zerokeep.models  # noqa: F401  (registers every table on the metadata)
from zerokeep.models.base import Base

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through zerokeep.migrations.runner (zerokeep db upgrade)")
run_on(connection)
