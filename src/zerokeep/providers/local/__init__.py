"""The embedded `local` provider: small bundled models serving the stateless Mistral routes."""

from zerokeep.providers.local.provider import LocalConfig, LocalProvider

__all__ = ["LocalConfig", "LocalProvider"]
