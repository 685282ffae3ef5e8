"""A `zerokeep serve` process for the batch kill -9 test: the real app, jobs run inside it.

python -m tests.batch.server_process DATABASE_URL DATA_DIR UPSTREAM_URL OPENAI_URL PORT
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from tests.conftest import gateway_settings
from zerokeep.app import create_app

LEASE_SECONDS = 2.0


@dataclass(frozen=True)
class Upstream:
    base_url: str
    openai_base_url: str


def main() -> None:
    url, data_dir, upstream, openai, port = sys.argv[1:6]
    settings = gateway_settings(
        Path(data_dir),
        url,
        Upstream(upstream, openai),  # type: ignore[arg-type]
        jobs_lease_seconds=LEASE_SECONDS,
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main()
