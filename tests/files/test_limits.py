"""The upload size limit end to end: a server of its own with a small ZEROKEEP_MAX_FILE_BYTES."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import gateway_settings
from tests.fakes import FakeUpstream
from tests.governance import client_for
from tests.harness import LiveServer, files_under
from zerokeep.db import create_engine
from zerokeep.migrations import runner

LIMIT = 4096


@pytest.fixture(scope="module")
def small_server(
    fake_upstream: FakeUpstream, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    data_dir: Path = tmp_path_factory.mktemp("small-files")
    url = f"sqlite+aiosqlite:///{data_dir / 'zerokeep.db'}"

    async def migrate() -> None:
        engine = create_engine(url)
        await runner.upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    server = LiveServer(gateway_settings(data_dir, url, fake_upstream, max_file_bytes=LIMIT))
    server.start()
    try:
        yield server
    finally:
        server.stop()


class TestSizeLimit:
    def test_a_file_over_the_limit_is_413_and_leaves_nothing(
        self, small_server: LiveServer
    ) -> None:
        _, key = small_server.new_organization()
        client = client_for(small_server, key)
        line = b'{"text": "' + b"x" * 80 + b'"}\n'
        too_big = client.post(
            "/v1/files", files={"file": ("a.jsonl", line * 60)}, data={"purpose": "batch"}
        )
        assert too_big.status_code == 413
        assert too_big.json()["code"] == "file_too_large"
        assert str(LIMIT) in too_big.json()["message"]
        assert files_under(small_server.settings.data_dir / "blobs") == []
        fits = client.post(
            "/v1/files", files={"file": ("a.jsonl", line * 10)}, data={"purpose": "batch"}
        )
        assert fits.status_code == 200
