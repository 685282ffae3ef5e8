"""Redis: every key's name and value (SCAN, then a read that fits its type: strings, hashes,
lists, sets, sorted sets, streams). Other types are counted as unread, and said so."""

from __future__ import annotations

from typing import Any

from zerokeep.retention_audit.canary import Scanner
from zerokeep.retention_audit.sinks.base import ScanContext, SinkResult, SinkStatus

MAX_KEYS = 200_000


async def scan(context: ScanContext) -> list[SinkResult]:
    result = SinkResult.start("redis", "key-value")
    if context.redis_url is None:
        return [result.skip(SinkStatus.NOT_PRESENT, "no Redis URL configured")]
    try:
        import redis.asyncio as redis
        from redis.exceptions import RedisError
    except ImportError:
        return [result.skip(SinkStatus.ERROR, "the redis package is not installed")]
    client: Any = redis.Redis.from_url(context.redis_url)
    try:
        await _scan_keys(client, context.scanner, result)
    except (RedisError, OSError) as error:
        result.skip(SinkStatus.ERROR, f"Redis scan failed: {type(error).__name__}")
    finally:
        await client.aclose()
    return [result]


async def _scan_keys(client: Any, scanner: Scanner, result: SinkResult) -> None:
    unread: dict[str, int] = {}
    async for key in client.scan_iter(count=1000):
        index = result.scanned.keys
        result.scanned.keys += 1
        result.add_hits(f"key #{index} (name)", scanner.scan_bytes(key))
        kind = (await client.type(key)).decode()
        parts = await _read_value(client, key, kind)
        if parts is None:
            unread[kind] = unread.get(kind, 0) + 1
            continue
        for part in parts:
            result.scanned.bytes += len(part)
            result.add_hits(f"key #{index} ({kind} value)", scanner.scan_bytes(part))
        if result.scanned.keys >= MAX_KEYS:
            result.notes.append(f"stopped after {MAX_KEYS} keys")
            break
    result.notes.append(f"{result.scanned.keys} key(s), names and values")
    if unread:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(unread.items()))
        result.notes.append(f"values not read (unsupported type): {kinds}")


async def _read_value(client: Any, key: bytes, kind: str) -> list[bytes] | None:
    if kind == "string":
        value = await client.get(key)
        return [value or b""]
    if kind == "hash":
        mapping = await client.hgetall(key)
        return [item for pair in mapping.items() for item in pair]
    if kind == "list":
        return list(await client.lrange(key, 0, -1))
    if kind == "set":
        return list(await client.smembers(key))
    if kind == "zset":
        return [member for member, _ in await client.zrange(key, 0, -1, withscores=True)]
    if kind == "stream":
        entries = await client.xrange(key, "-", "+")
        return [item for _, fields in entries for pair in fields.items() for item in pair]
    if kind == "none":  # expired between SCAN and TYPE
        return []
    return None
