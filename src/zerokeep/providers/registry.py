"""Build the configured providers from settings (one instance per `[[providers]]` entry)."""

from __future__ import annotations

import dataclasses

import aiohttp

from zerokeep.config import ProviderSettings, Settings
from zerokeep.providers.base import Provider, ProviderInfo
from zerokeep.retention.catalogue import Route

MISTRAL_BASE_URL = "https://api.mistral.ai"


class ProviderConfigError(ValueError):
    """A provider entry cannot be built; the message names the entry and the fix."""


def build_providers(settings: Settings, http: aiohttp.ClientSession) -> dict[str, Provider]:
    return {entry.name: build_provider(entry, settings, http) for entry in settings.providers}


def configuration_problems(settings: Settings) -> list[str]:
    """What stops a provider entry from being built, one line each, checked before start-up
    (no network, nothing loaded), so `serve` can refuse with a sentence instead of a stack."""
    found = (_problem(entry, settings) for entry in settings.providers)
    return [problem for problem in found if problem is not None]


def _problem(entry: ProviderSettings, settings: Settings) -> str | None:
    if entry.kind == "mistral" and not (entry.api_key or settings.mistral_api_key):
        return (
            f"provider {entry.name!r} (mistral) needs an API key: set ZEROKEEP_MISTRAL_API_KEY "
            "or api_key in its [[providers]] entry"
        )
    if entry.kind == "openai_compatible" and not entry.base_url:
        return (
            f"provider {entry.name!r} (openai_compatible) needs base_url, "
            "e.g. http://127.0.0.1:11434 for Ollama"
        )
    return None


def build_provider(
    entry: ProviderSettings, settings: Settings, http: aiohttp.ClientSession
) -> Provider:
    info = ProviderInfo(
        name=entry.name,
        kind=entry.kind,
        retention_days=entry.retention_days,
        routes=frozenset(Route),
    )
    if entry.kind == "local":
        from zerokeep.providers.local import LocalConfig, LocalProvider

        config = LocalConfig(max_concurrency=entry.max_concurrency, queue_size=entry.queue_size)
        if entry.context_tokens is not None:
            config = dataclasses.replace(config, chat_context_tokens=entry.context_tokens)
        return LocalProvider(config, name=entry.name)
    if entry.kind == "mistral":
        from zerokeep.providers.mistral import MistralProvider

        api_key = entry.api_key or settings.mistral_api_key
        if not api_key:
            raise ProviderConfigError(_problem(entry, settings))
        return MistralProvider(
            info, entry.base_url or MISTRAL_BASE_URL, api_key, http, entry.timeout_seconds
        )
    from zerokeep.providers.openai_compatible import OpenAICompatibleProvider

    if not entry.base_url:
        raise ProviderConfigError(_problem(entry, settings))
    return OpenAICompatibleProvider(
        info, entry.base_url, entry.api_key, http, entry.timeout_seconds
    )
