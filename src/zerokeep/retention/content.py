"""Content: the opaque carrier of request and response bodies.

Its repr/str/format and pickling refuse to reveal what it holds, and JSON encoders do not know
it, so content cannot reach a log line, an error message or a metadata row by accident.
The only way out is `expose()`, which only the providers (to call an upstream) and the payload
archive (under an ARCHIVE decision) may call; a test greps the source to keep it so.

    >>> secret = Content({"messages": [{"role": "user", "content": "hello"}]}, size=64)
    >>> f"{secret}"
    '<Content 64 bytes, redacted>'
"""

from __future__ import annotations

from typing import Any, Generic, NoReturn, TypeVar

T = TypeVar("T")


class ContentLeakError(TypeError):
    """Raised when code tries to serialize content through a side door."""


class Content(Generic[T]):
    __slots__ = ("_size", "_value")

    def __init__(self, value: T, size: int = 0) -> None:
        self._value = value
        self._size = size

    @property
    def size(self) -> int:
        return self._size

    def expose(self) -> T:
        """Return the content itself. Allowed only in providers/ and archive/."""
        return self._value

    def __repr__(self) -> str:
        return f"<Content {self._size} bytes, redacted>"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        raise ContentLeakError("Content cannot be pickled")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise ContentLeakError("Content cannot be pickled")

    def __getstate__(self) -> NoReturn:
        raise ContentLeakError("Content cannot be serialized")

    def __iter__(self) -> NoReturn:
        raise ContentLeakError("Content cannot be iterated; expose() it where that is allowed")
