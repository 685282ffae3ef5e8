"""`zerokeep chat`: talk to a zerokeep (or any Mistral-compatible) server from the terminal.

zerokeep chat --api-key zk_...                        # interactive, history in memory
echo "What is the capital of France?" | zerokeep chat  # answers on stdout, status on stderr
zerokeep chat --require-zdr --history chat.jsonl       # refuse unless ZDR is active
"""

from __future__ import annotations

from pathlib import Path

import typer

from zerokeep.chat_client.app import ChatOptions, run
from zerokeep.chat_client.terminal import Terminal
from zerokeep.cli.runtime import settings_or_exit


def chat(
    base_url: str | None = typer.Option(
        None,
        "--base-url",
        help="Server to talk to, e.g. https://api.mistral.ai (default: ZEROKEEP_PUBLIC_URL, "
        "else http://ZEROKEEP_HOST:ZEROKEEP_PORT).",
    ),
    api_key: str | None = typer.Option(
        None,
        "--api-key",
        envvar=["ZEROKEEP_API_KEY", "MISTRAL_API_KEY"],
        show_envvar=True,
        help="API key (zerokeep or Mistral).",
    ),
    model: str = typer.Option("local-chat", help="Model to chat with."),
    system: str | None = typer.Option(None, help="System prompt for the conversation."),
    history: Path | None = typer.Option(
        None,
        "--history",
        metavar="FILE",
        dir_okay=False,
        help="Keep the conversation in this JSONL file on this machine (continued if it exists).",
    ),
    require_zdr: bool = typer.Option(
        False,
        "--require-zdr",
        help="Send nothing unless the server reports Zero Data Retention active (exit code 3).",
    ),
    max_tokens: int | None = typer.Option(None, min=1, help="Longest answer, in tokens."),
) -> None:
    """Chat from the terminal; history stays on this machine. Reads lines from stdin when piped."""
    options = ChatOptions(
        base_url=base_url or settings_or_exit().base_url,
        api_key=api_key or None,
        model=model,
        system=system,
        history_path=history,
        require_zdr=require_zdr,
        max_tokens=max_tokens,
    )
    code = run(options, Terminal())
    if code:
        raise typer.Exit(code)
