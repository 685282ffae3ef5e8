"""`zerokeep receipt verify`: check a signed deletion receipt offline."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from zerokeep.cli.runtime import console, fail
from zerokeep.lifecycle.receipts import verify_receipt

app = typer.Typer(help="Signed deletion receipts.", no_args_is_help=True)


@app.command()
def verify(
    file: Path,
    public_key: str | None = typer.Option(
        None, "--public-key", help="The deployment's pinned key (`zerokeep audit public-key`)."
    ),
) -> None:
    """Check a deletion receipt's Ed25519 signature (and that the pinned key made it)."""
    try:
        document = json.loads(file.read_text())
    except (OSError, ValueError) as error:
        fail(f"cannot read {file}: {type(error).__name__}")
    result = verify_receipt(document, public_key)
    if not result.is_valid:
        fail(f"{file}: {result.message}")
    console.print(f"{file}: {result.message}", highlight=False)
