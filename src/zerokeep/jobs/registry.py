"""Tasks and periodic tasks: what a domain declares in its `tasks.py`, and the registry of them.

Declaring a task does not mutate anything global: the decorator returns a `Task` value, and the
registry is built explicitly from the modules listed in TASK_MODULES (add yours there).

    @task("files.purge")
    async def purge_file(ctx: JobContext, file_id: str) -> None: ...

    @periodic("archive.purge", every=lambda settings: settings.archive_purge_interval_seconds)
    async def purge_archive(ctx: JobContext) -> None: ...

    registry = load_registry()          # every task of TASK_MODULES
    registry.get("files.purge")
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zerokeep.config import Settings
    from zerokeep.jobs.context import JobContext

Handler = Callable[..., Awaitable[object]]
Interval = float | Callable[["Settings"], float]

TASK_MODULES: tuple[str, ...] = (
    "zerokeep.jobs.tasks",
    "zerokeep.email.tasks",
    "zerokeep.archive.tasks",
)
DEFAULT_MAX_ATTEMPTS = 5
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Task:
    """A named, idempotent handler. `transactional` tasks get `ctx.session`, and their
    completion is recorded in that same transaction; the others open their own units of work
    (`ctx.sessions`) and are at-least-once. `every` (seconds) makes the task periodic."""

    name: str
    handler: Handler
    transactional: bool = True
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    every: Interval | None = None

    async def __call__(self, ctx: JobContext, **args: Any) -> object:
        return await self.handler(ctx, **args)

    def interval_seconds(self, settings: Settings) -> float | None:
        if self.every is None:
            return None
        seconds = self.every(settings) if callable(self.every) else self.every
        return float(seconds)


def task(
    name: str, *, transactional: bool = True, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> Callable[[Handler], Task]:
    """Declare `async def handler(ctx: JobContext, **ids)` as the task `name` ("domain.verb")."""
    _check_name(name)
    if max_attempts < 1:
        raise ValueError("max_attempts is at least 1")

    def declare(handler: Handler) -> Task:
        return Task(name, handler, transactional=transactional, max_attempts=max_attempts)

    return declare


def periodic(
    name: str, *, every: Interval, transactional: bool = False, max_attempts: int = 1
) -> Callable[[Handler], Task]:
    """Declare a task that runs once per `every` seconds across all processes. A failed run is
    not retried by default: the next period is the retry."""
    _check_name(name)

    def declare(handler: Handler) -> Task:
        return Task(
            name, handler, transactional=transactional, max_attempts=max_attempts, every=every
        )

    return declare


class UnknownTask(LookupError):
    """A job names a task no module declares (an old job after a rename, or a typo)."""


class Registry:
    def __init__(self, tasks: Iterable[Task] = ()) -> None:
        self._tasks: dict[str, Task] = {}
        for declared in tasks:
            self.add(declared)

    def add(self, declared: Task) -> None:
        if declared.name in self._tasks and self._tasks[declared.name] is not declared:
            raise ValueError(f"two tasks are named {declared.name}")
        self._tasks[declared.name] = declared

    def get(self, name: str) -> Task:
        try:
            return self._tasks[name]
        except KeyError:
            raise UnknownTask(name) from None

    def __iter__(self) -> Iterator[Task]:
        return iter(self._tasks.values())

    def periodic(self) -> list[Task]:
        return [declared for declared in self if declared.every is not None]


def load_registry(modules: Iterable[str] = TASK_MODULES, extra: Iterable[Task] = ()) -> Registry:
    """The tasks declared at the top level of `modules`, plus `extra` (tests)."""
    registry = Registry()
    for module_name in modules:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, Task):
                registry.add(value)
    for declared in extra:
        registry.add(declared)
    return registry


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"a task is named '<domain>.<verb>' in lower case, not {name!r}")
