"""The `zerokeep` command line: serve, worker, db, org, user, key, keys, audit, usage, chat, zdr,
privacy, email, training."""

from __future__ import annotations

import typer

from zerokeep.cli import (
    audit,
    chat,
    db,
    key,
    keys,
    mail,
    org,
    privacy,
    serve,
    training,
    usage,
    user,
    worker,
    zdr,
)

app = typer.Typer(
    help="zerokeep: a Mistral-compatible AI gateway with provable data retention.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: Typer's rich panels print a `<bool>` placeholder after every flag.
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from zerokeep import __version__

        print(f"zerokeep {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """zerokeep: a Mistral-compatible AI gateway with provable data retention."""


app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.command("usage")(usage.usage)
app.command("chat")(chat.chat)
app.add_typer(db.app, name="db")
app.add_typer(org.app, name="org")
app.add_typer(user.app, name="user")
app.add_typer(key.app, name="key")
app.add_typer(keys.app, name="keys")
app.add_typer(audit.app, name="audit")
app.add_typer(zdr.app, name="zdr")
app.add_typer(privacy.app, name="privacy")
app.add_typer(mail.app, name="email")
app.add_typer(training.app, name="training")
