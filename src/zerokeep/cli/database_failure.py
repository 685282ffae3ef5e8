"""Ordinary database problems, told in one line that says what to do (exit code 3).

A command against a data directory that was never migrated, a PostgreSQL server that is not
running, a database that does not exist: each is a setup step the operator missed, not a bug,
so the CLI prints one line instead of a traceback.

    message = describe(error, settings.resolved_database_url)   # None: not a setup problem
"""

from __future__ import annotations

import errno
import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from zerokeep.cli.invocation import command

EXIT_DATABASE = 3


def _root(error: BaseException) -> BaseException:
    """The driver's own exception under SQLAlchemy's wrappers (asyncpg's is two levels down)."""
    seen: set[int] = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner: BaseException | None = error.orig if isinstance(error, DBAPIError) else None
        inner = inner or error.__cause__
        if not isinstance(inner, BaseException):
            break
        error = inner
    return error


_CONNECTION_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
}


def _is_connection_failure(error: BaseException) -> bool:
    """A socket that could not connect, not any OSError (a file that exists is one too)."""
    if isinstance(error, (ConnectionError, TimeoutError, socket.gaierror)):
        return True
    if isinstance(error, OSError):
        # asyncio joins the failures of several addresses (localhost: ::1 and 127.0.0.1).
        return error.errno in _CONNECTION_ERRNOS or "Connect call failed" in str(error)
    return False


def describe(error: BaseException, database_url: str) -> str | None:
    """The one-line explanation of a setup problem, or None for anything else.

    Never the URL's password: only the backend, host, port and database name are named.
    """
    url = make_url(database_url)
    cause = _root(error)
    kind = type(cause).__name__
    text = str(cause)
    if url.get_backend_name() == "sqlite":
        if "no such table" in text:
            return (
                f"the database {url.database} has no zerokeep tables yet: "
                f"run `{command()} db upgrade` (or start `{command()} serve`, which migrates) first"
            )
        if "unable to open database file" in text:
            return f"cannot open the SQLite database {url.database}: check ZEROKEEP_DATA_DIR"
        return None
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if kind == "InvalidCatalogNameError":
        return (
            f"the PostgreSQL database {url.database!r} does not exist on {where}: "
            f"create it (createdb {url.database}) or fix ZEROKEEP_DATABASE_URL"
        )
    if kind in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
        return f"PostgreSQL at {where} refused the login: check ZEROKEEP_DATABASE_URL"
    if kind == "UndefinedTableError" or (kind == "ProgrammingError" and "does not exist" in text):
        return (
            f"the PostgreSQL database {url.database!r} has no zerokeep tables yet: "
            f"run `{command()} db upgrade` first"
        )
    if _is_connection_failure(cause) or kind in (
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
    ):
        return f"cannot reach PostgreSQL at {where}: is it running? check ZEROKEEP_DATABASE_URL"
    return None
