"""The `zerokeep` command: one Typer module per command group."""
