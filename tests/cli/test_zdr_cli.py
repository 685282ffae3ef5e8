"""`zerokeep zdr`, `privacy`, `email` and `training` (in process), on both backends."""

from __future__ import annotations

import json
import mailbox
import re
from pathlib import Path

import pytest

from tests.cli.runner import Cli
from tests.governance import LEGAL_BASIS, USE_CASE

CONTACT = "dpo@acme.example.com"


@pytest.fixture()
def cli(tmp_path: Path, migrated_database_url: str) -> Cli:
    return Cli(tmp_path / "data", migrated_database_url)


def request_zdr(cli: Cli, org: str, *, expect: int = 0, use_case: str = USE_CASE) -> str:
    result = cli(
        "zdr", "request", "--org", org, "--use-case", use_case,
        "--data-categories", "health records, names", "--legal-basis", LEGAL_BASIS,
        "--contact", CONTACT, expect=expect,
    )  # fmt: skip
    if expect:
        return result.stderr
    match = re.search(r"Submitted ZDR request (zdr_[0-9a-f]+) \(pending review\)", result.stdout)
    assert match, result.stdout
    return match.group(1)


class TestZdrCommands:
    def test_request_deny_request_approve(self, cli: Cli) -> None:
        cli.create_org("acme", plan="scale")
        refused = request_zdr(cli, "acme", expect=1, use_case="too short")
        assert "Describe the use case in at least 40 characters" in " ".join(refused.split())
        first = request_zdr(cli, "acme")
        assert first in cli("zdr", "list", "--pending").stdout
        assert "already has a pending ZDR request" in " ".join(
            request_zdr(cli, "acme", expect=1).split()
        )
        denied = cli("zdr", "deny", first, "--reason", "Name the DPA clause.").stdout
        assert f"Denied {first}" in denied
        assert first not in cli("zdr", "list", "--pending").stdout
        assert "denied" in cli("zdr", "list", "--org", "acme").stdout
        second = request_zdr(cli, "acme")
        assert "pending" in cli("privacy", "show", "acme").stdout
        cli("zdr", "approve", second, "--reason", "DPA on file")
        shown = cli("privacy", "show", "acme").stdout
        assert re.search(r"zdr: active", shown)
        assert re.search(r"stateless retention: none", shown)
        assert f"{second} (approved)" in shown

    def test_deny_needs_a_reason_and_free_plan_is_refused(self, cli: Cli) -> None:
        cli.create_org("freebie", plan="free")
        assert "ZDR requires the Scale plan" in request_zdr(cli, "freebie", expect=1)
        cli.create_org("acme", plan="scale")
        request_id = request_zdr(cli, "acme")
        assert "needs a reason" in cli("zdr", "deny", request_id, "--reason", " ", expect=1).stderr
        assert "No such ZDR request" in cli("zdr", "approve", "zdr_nope", expect=1).stderr

    def test_withdraw(self, cli: Cli) -> None:
        cli.create_org("acme", plan="scale")
        request_id = request_zdr(cli, "acme")
        assert (
            f"Withdrew {request_id}" in cli("zdr", "withdraw", request_id, "--org", "acme").stdout
        )
        assert re.search(r"zdr: off", cli("privacy", "show", "acme").stdout)


class TestPrivacyCommands:
    def test_set_and_show(self, cli: Cli) -> None:
        cli.create_org("acme", plan="free")
        shown = cli(
            "privacy", "set", "acme", "--training-opt-out", "--abuse-window-days", "7",
            "--stateful-policy", "block", "--require-upstream-zdr",
        ).stdout  # fmt: skip
        assert re.search(r"training opt-out: yes", shown)
        assert re.search(r"abuse window: 7 days", shown)
        assert re.search(r"stateful policy: block", shown)
        assert re.search(r"requires upstream zdr: yes", shown)
        assert re.search(r"stateless retention: archive; days=7", shown)
        shown = cli("privacy", "set", "acme", "--no-training-opt-out").stdout
        assert re.search(r"training opt-out: no", shown)
        assert re.search(r"abuse window: 7 days", shown)
        cli("privacy", "set", "acme", "--abuse-window-days", "4000", expect=2)


class TestEmailAndTraining:
    def test_send_pending_writes_the_maildir_outbox(self, cli: Cli) -> None:
        cli.create_org("acme", plan="scale")
        request_id = request_zdr(cli, "acme")
        cli("zdr", "deny", request_id, "--reason", "Name the DPA clause.")
        sent = cli("email", "send-pending").stdout
        assert "Emails via maildir: 2 sent, 0 to retry" in sent
        box = mailbox.Maildir(cli.data_dir / "outbox", create=False)
        subjects = sorted(message["Subject"] for message in box)
        assert subjects == ["ZDR request denied for Org acme", "ZDR request received for Org acme"]
        denial = next(message for message in box if "denied" in message["Subject"])
        assert "Reason: Name the DPA clause." in denial.get_payload()
        assert USE_CASE not in denial.get_payload()
        assert "0 sent" in cli("email", "send-pending").stdout

    def test_failing_smtp_exits_1_and_keeps_messages(self, cli: Cli) -> None:
        cli.create_org("acme", plan="scale")
        request_zdr(cli, "acme")
        result = cli("email", "send-pending", expect=1, ZEROKEEP_SMTP_URL="smtp://127.0.0.1:9")
        assert "0 sent, 1 to retry" in result.stdout

    def test_training_export(self, cli: Cli, tmp_path: Path) -> None:
        cli.create_org("acme", plan="scale")
        out = tmp_path / "export"
        result = cli("training", "export", "--out", str(out)).stdout
        assert "0 records from 0 organizations" in result
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["included"]["records"] == 0
        assert (
            "already holds an export"
            in cli("training", "export", "--out", str(out), expect=1).stderr
        )
