"""KeyLimits: what one API key may do below its organization's limits (pure, no I/O).

limits = KeyLimits(allowed_models=frozenset({"mistral-small-latest"}), requests_per_minute=60)
limits.allows("mistral-large-latest")   # False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zerokeep.errors import InvalidRequest

_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}\Z")
_MAX_MODELS = 100


@dataclass(frozen=True, slots=True)
class KeyLimits:
    allowed_models: frozenset[str] | None = None  # None: every model of the deployment
    requests_per_minute: int | None = None  # None: only the organization's limit
    tokens_per_minute: int | None = None
    monthly_token_budget: int | None = None  # tokens per calendar month (UTC)

    @property
    def is_unlimited(self) -> bool:
        return (
            self.allowed_models is None
            and self.requests_per_minute is None
            and self.tokens_per_minute is None
            and self.monthly_token_budget is None
        )

    @property
    def has_rates(self) -> bool:
        return self.requests_per_minute is not None or self.tokens_per_minute is not None

    def allows(self, model: str) -> bool:
        return self.allowed_models is None or model in self.allowed_models

    def checked(self) -> KeyLimits:
        """Self, or InvalidRequest naming the bad limit."""
        for name in ("requests_per_minute", "tokens_per_minute", "monthly_token_budget"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 10**15:
                raise InvalidRequest(f"{name} must be a whole number from 1.", param=name)
        models = self.allowed_models
        if models is not None and (
            not models
            or len(models) > _MAX_MODELS
            or not all(_MODEL_NAME.match(model) for model in models)
        ):
            raise InvalidRequest(
                f"allowed_models must list 1 to {_MAX_MODELS} model names "
                "(GET /v1/models lists them).",
                param="allowed_models",
            )
        return self

    @classmethod
    def of(
        cls,
        allowed_models: list[str] | None,
        requests_per_minute: int | None,
        tokens_per_minute: int | None,
        monthly_token_budget: int | None = None,
    ) -> KeyLimits | None:
        """The limits stored on a key row; None when it has none (the common case)."""
        limits = cls(
            frozenset(allowed_models) if allowed_models is not None else None,
            requests_per_minute,
            tokens_per_minute,
            monthly_token_budget,
        )
        return None if limits.is_unlimited else limits
