"""Invariant 1 by construction: only the declared doors may unwrap Content.

`Content.expose()` is the one way to read request or response content. This test reads the
source tree and fails when a module outside the allow-list calls it, so a new sink cannot
start reading content without this list (and its review) changing too.
"""

from __future__ import annotations

import re
from pathlib import Path

import zerokeep

SOURCE = Path(zerokeep.__file__).parent
CALL = re.compile(r"\.expose\(\)")

# module -> why it may see content
ALLOWED = {
    "providers/base.py": "hands the call's content to the upstream",
    "archive/writer.py": "the payload archive, under an ARCHIVE decision only",
    "batch/runner.py": "the batch store: a line's result, sealed under the job's own key",
    "training/export.py": "exports retained archive data of organizations that did not opt out",
    "retention_audit/control.py": "the audit's positive control reads its own canary back",
}


def modules_calling_expose() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        code = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith(">>>")
        )
        if CALL.search(code) and path.name != "content.py":
            found.add(path.relative_to(SOURCE).as_posix())
    return found


class TestContentDoors:
    def test_only_allowed_modules_expose_content(self) -> None:
        assert modules_calling_expose() <= set(ALLOWED), (
            "a module outside the allow-list unwraps Content: "
            f"{sorted(modules_calling_expose() - set(ALLOWED))}"
        )

    def test_the_allow_list_has_no_stale_entries(self) -> None:
        assert modules_calling_expose() == set(ALLOWED)
