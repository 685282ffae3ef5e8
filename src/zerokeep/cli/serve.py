"""`zerokeep serve`: migrate, bootstrap the demo on first start, print what to do next, serve."""

from __future__ import annotations

import socket

import typer

from zerokeep.cli.invocation import command
from zerokeep.cli.runtime import console, fail, run_against_database, settings_or_exit
from zerokeep.config import Settings


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default ZEROKEEP_HOST)."),
    port: int | None = typer.Option(None, help="Port (default ZEROKEEP_PORT, 8000)."),
    demo: bool = typer.Option(True, help="Create a demo organization and key on first start."),
) -> None:
    """Run the API and console on the configured database (SQLite in the data dir by default)."""
    # Imported here: the app is heavy, and every other command would pay for it at start-up.
    import uvicorn

    from zerokeep.app import create_app
    from zerokeep.observability.logging_setup import configure_logging
    from zerokeep.providers.registry import configuration_problems

    given = {"host": host, "port": port}
    overrides: dict[str, object] = {key: value for key, value in given.items() if value}
    settings = settings_or_exit() if not overrides else _with(overrides)
    if problems := configuration_problems(settings):
        fail("; ".join(problems), code=2)
    # Before anything is printed or created: a busy port must not cost a demo key.
    _require_free_port(settings.host, settings.port)
    configure_logging(settings.log_level, settings.log_format == "json")
    demo_key = run_against_database(settings, _prepare(settings, demo and _is_embedded(settings)))
    _print_next_steps(settings, demo_key)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
        server_header=False,
        proxy_headers=False,
    )


def _with(overrides: dict[str, object]) -> Settings:
    from zerokeep.config import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as error:
        fail(str(error), code=2)


def _is_embedded(settings: Settings) -> bool:
    """The demo organization (and its plaintext key file) is for the zero-setup SQLite default
    only: a PostgreSQL production database never gets one, --demo or not."""
    return settings.resolved_database_url.startswith("sqlite")


def _require_free_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(
                f"cannot listen on {host}:{port} ({error.strerror or error}): another program "
                "is using it; stop it or choose another port with --port",
                code=2,
            )


async def _prepare(settings: Settings, demo: bool) -> str | None:
    from zerokeep.bootstrap import ensure_demo
    from zerokeep.db import create_engine, session_factory, unit_of_work
    from zerokeep.keys import key_service_from_settings
    from zerokeep.keys.rotation import upgrade_legacy_keys
    from zerokeep.migrations import runner
    from zerokeep.secret import load_keys

    engine = create_engine(settings.resolved_database_url)
    try:
        await runner.upgrade(engine)
        if settings.jobs_engine == "procrastinate":
            from zerokeep.jobs.procrastinate_engine import apply_schema

            await apply_schema(engine)
        keys = load_keys(settings)
        # Data keys made before the key hierarchy move under their organization's key.
        key_service = key_service_from_settings(settings, legacy_wrapping_key=keys.key_wrapping)
        async with unit_of_work(session_factory(engine)) as session:
            await upgrade_legacy_keys(session, key_service)
        if not demo:
            return None
        async with unit_of_work(session_factory(engine)) as session:
            return await ensure_demo(session, keys.api_key_hmac, settings.data_dir)
    finally:
        await engine.dispose()


def _print_next_steps(settings: Settings, demo_key: str | None) -> None:
    base = settings.base_url
    console.print(f"\n[bold]zerokeep[/bold] is starting on [cyan]{base}[/cyan]")
    console.print(f"  data directory: {settings.data_dir.resolve()}", highlight=False)
    config = settings.config_file
    console.print(
        f"  config file:    {config.resolve() if config else 'none (built-in defaults)'}",
        highlight=False,
    )
    for provider in settings.providers:
        retention = "none" if provider.retention_days is None else f"{provider.retention_days} days"
        console.print(
            f"  provider {provider.name} ({provider.kind}): declared retention {retention}",
            highlight=False,
        )
    zerokeep = command()
    if demo_key is None:
        console.print(
            f"  create an organization and a key: {zerokeep} org create NAME --slug SLUG, "
            f"then {zerokeep} key create --org SLUG\n",
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print("  demo organization: 'demo' (Scale plan, Zero Data Retention active)")
    console.print(f"  demo API key:      {demo_key}\n")
    console.print("Try it:")
    console.print(
        f"  curl -s {base}/v1/chat/completions -H 'Authorization: Bearer {demo_key}' \\\n"
        "    -H 'Content-Type: application/json' \\\n"
        '    -d \'{"model": "local-chat", "messages": [{"role": "user", "content": "Hello"}]}\'',
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        '  python -c "from mistralai.client import Mistral; '
        f"print(Mistral(api_key='{demo_key}', server_url='{base}').models.list())\"",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"  API docs: {base}/docs    models: {base}/v1/models")
    console.print(
        f"  Admin Console: {base}/console  (create a login: "
        f"{zerokeep} user create you@example.com --org demo --role owner)\n",
        highlight=False,
        soft_wrap=True,
    )
