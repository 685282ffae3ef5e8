"""The audit's stateful check: stateful routes say so, and a purged file leaves nothing.

For the ZDR organization (stateful products are outside ZDR, and must say so), it uploads a
canary file and creates a batch job over it, checks every Files and Batch response carries
`zerokeep-retention: stateful`, notes a slice of the file's ciphertext in the blob store,
deletes both with a zero-day grace period, runs the purge, and then looks for the canary and
for that ciphertext in the data directory, the database files and (on PostgreSQL) the
server's files.

    result = instance.run(...)  # see runner._self_contained_stateful
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from zerokeep.retention_audit.canary import Canary
from zerokeep.retention_audit.control import ciphertext_files

STATEFUL = "stateful"


@dataclass(slots=True)
class StatefulResult:
    headers_ok: bool = False
    routes_checked: list[str] = field(default_factory=list)
    wrong_headers: list[str] = field(default_factory=list)
    ciphertext_found_before_purge: bool = False
    purged: bool = False
    canary_after_purge: list[str] = field(default_factory=list)
    ciphertext_after_purge: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def failures(self) -> list[str]:
        reasons = [f"stateful: {route} did not say 'stateful'" for route in self.wrong_headers]
        if self.error:
            reasons.append(f"stateful: {self.error}")
        if not self.ciphertext_found_before_purge:
            reasons.append("stateful: the file's ciphertext was not found before the purge")
        if not self.purged:
            reasons.append("stateful: the deleted file was not purged")
        reasons += [f"stateful: canary file bytes at {path}" for path in self.canary_after_purge]
        reasons += [f"stateful: file ciphertext at {path}" for path in self.ciphertext_after_purge]
        return reasons


def upload_and_check(base_url: str, key: str, canary: Canary) -> tuple[StatefulResult, str]:
    """Upload the canary file and read it back through every Files route; returns its id."""
    result = StatefulResult()
    content = b"".join(
        b'{"line": %d, "canary": "%s"}\n' % (i, canary.token.encode()) for i in range(200)
    )
    with httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {key}"}) as http:
        uploaded = http.post(
            "/v1/files", files={"file": ("audit.jsonl", content)}, data={"purpose": "batch"}
        )
        if uploaded.status_code != 200:
            result.error = f"upload answered {uploaded.status_code}"
            return result, ""
        file_id = str(uploaded.json()["id"])
        responses = {
            "POST /v1/files": uploaded,
            "GET /v1/files": http.get("/v1/files"),
            "GET /v1/files/{id}": http.get(f"/v1/files/{file_id}"),
            "GET /v1/files/{id}/content": http.get(f"/v1/files/{file_id}/content"),
            "GET /v1/files/{id}/url": http.get(f"/v1/files/{file_id}/url"),
        }
        responses.update(_batch_responses(http, file_id))
        patched = http.patch("/v1/organization/privacy", json={"deletion_grace_days": 0})
        responses["DELETE /v1/files/{id}"] = http.delete(f"/v1/files/{file_id}")
        if job_id := responses["POST /v1/batch/jobs"].json().get("id"):
            responses["DELETE /v1/batch/jobs/{id}"] = http.delete(f"/v1/batch/jobs/{job_id}")
        if not patched.is_success:
            result.error = f"setting the grace period answered {patched.status_code}"
    for route, response in responses.items():
        result.routes_checked.append(route)
        if response.headers.get("zerokeep-retention") != STATEFUL:
            result.wrong_headers.append(route)
    result.headers_ok = not result.wrong_headers
    return result, file_id


def _batch_responses(http: httpx.Client, file_id: str) -> dict[str, httpx.Response]:
    """A batch job over the canary file, cancelled before it runs: the Batch routes' headers."""
    created = http.post(
        "/v1/batch/jobs", json={"endpoint": "/v1/embeddings", "input_files": [file_id]}
    )
    job_id = created.json().get("id") if created.status_code == 200 else "none"
    return {
        "POST /v1/batch/jobs": created,
        "GET /v1/batch/jobs": http.get("/v1/batch/jobs"),
        "GET /v1/batch/jobs/{id}": http.get(f"/v1/batch/jobs/{job_id}"),
        "POST /v1/batch/jobs/{id}/cancel": http.post(f"/v1/batch/jobs/{job_id}/cancel"),
    }


def blob_sample(data_dir: Path, file_id: str) -> bytes | None:
    for path in (data_dir / "blobs").rglob(file_id):
        if path.is_file():
            return path.read_bytes()[1000:1064]
    return None


def scan_after_purge(
    result: StatefulResult,
    canary: Canary,
    sample: bytes,
    local_files: Callable[[], list[Path]],
    database_url: str | None,
    since: float,
) -> None:
    result.canary_after_purge = asyncio.run(
        ciphertext_files(local_files, database_url, [canary.token.encode()], since)
    )
    result.ciphertext_after_purge = asyncio.run(
        ciphertext_files(local_files, database_url, [sample], since)
    )
