"""Model routing: a public model name -> (provider, upstream model), honouring upstream ZDR.

When the organization requires upstream ZDR, only upstreams that declare retention "none" are
eligible; otherwise the request is refused with a clear error (never a silent fallback).
"""

from __future__ import annotations

from dataclasses import dataclass

from zerokeep.config import ModelSettings
from zerokeep.errors import PermissionDenied, UnknownModel
from zerokeep.providers.base import Provider, RouteNotSupported
from zerokeep.retention.catalogue import Route
from zerokeep.retention.decision import Decision


class UpstreamZdrUnavailable(PermissionDenied):
    code = "upstream_zdr_unavailable"
    default_message = (
        "Your organization requires upstream zero data retention, and the upstream serving "
        "this model declares that it retains data. Choose a model served by an upstream that "
        "declares retention 'none' (GET /v1/models shows each model's upstream retention)."
    )


@dataclass(frozen=True, slots=True)
class Target:
    model: ModelSettings
    provider: Provider


class ModelRouter:
    def __init__(self, models: list[ModelSettings], providers: dict[str, Provider]) -> None:
        self._targets: dict[str, Target] = {
            model.name: Target(model, providers[model.provider]) for model in models
        }

    def resolve(self, model_name: object, route: Route, decision: Decision) -> Target:
        target = self._targets.get(model_name) if isinstance(model_name, str) else None
        if target is None or route not in target.model.routes:
            raise UnknownModel()
        if not target.provider.supports(route):
            raise RouteNotSupported(target.provider.info.name)
        if decision.requires_upstream_zdr and target.provider.info.retention_days is not None:
            raise UpstreamZdrUnavailable()
        return target

    def targets(self) -> list[Target]:
        return list(self._targets.values())
