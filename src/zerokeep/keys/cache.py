"""Unwrapped keys held in memory, and how a destroyed key is forgotten.

The cache never decides whether a key exists: every use re-reads the key's row in the caller's
transaction (one indexed lookup) and only then takes the unwrapped bytes from here. So a key
destroyed by another process is refused there as soon as the destroying transaction commits,
whether or not this process heard about it. `forget(ids)` drops the bytes from memory at once;
`on_destroyed` hooks (issue 11 wires Redis pub/sub to them) tell other processes to do the same.

    cache = KeyCache()
    cache.on_destroyed(lambda ids: publish("keys.destroyed", ids))
    cache.destroyed({"dk_1"})   # forget here, then call every hook
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

DestroyedHook = Callable[[frozenset[str]], None]


class KeyCache:
    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}
        self._tokens: dict[str, bytes] = {}
        self._hooks: list[DestroyedHook] = []

    def __repr__(self) -> str:
        return f"<KeyCache {len(self._keys)} keys redacted>"

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def get(self, key_id: str, token: bytes) -> bytes | None:
        """The unwrapped key cached for this id AND this wrapped form (a re-wrap or a new key
        under a reused id is a miss)."""
        found = self._keys.get(key_id)
        if found is None or self._tokens.get(key_id) != token:
            return None
        return found

    def put(self, key_id: str, token: bytes, key: bytes) -> None:
        self._keys[key_id] = key
        self._tokens[key_id] = token

    def forget(self, key_ids: Iterable[str]) -> None:
        """Drop these keys from this process's memory (no-op for ids it never held)."""
        for key_id in key_ids:
            self._keys.pop(key_id, None)
            self._tokens.pop(key_id, None)

    def clear(self) -> None:
        self._keys.clear()
        self._tokens.clear()

    def on_destroyed(self, hook: DestroyedHook) -> None:
        """Register a hook called with the ids of keys destroyed in this process."""
        self._hooks.append(hook)

    def destroyed(self, key_ids: Iterable[str]) -> None:
        ids = frozenset(key_ids)
        if not ids:
            return
        self.forget(ids)
        for hook in self._hooks:
            hook(ids)
