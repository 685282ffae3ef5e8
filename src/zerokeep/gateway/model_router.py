"""Model routing: a public model name -> the deployments (provider, upstream model) that serve it.

A model has one deployment or several (weighted). `attempts` returns the deployments eligible
for this request, in the order to try them: the first picked by weight, the others after it in
declared order (deployments cooling down after a failure go last). Eligibility is checked
before anything else and fails closed: when the organization requires upstream ZDR, only
deployments that declare retention "none" are ever listed; if none does, the request is
refused (never a fallback).

    plan = router.resolve("mistral-small-latest", Route.CHAT_COMPLETIONS, decision)
    for deployment in plan.attempts(): ...
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from zerokeep.config import ModelSettings, RoutingSettings
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


class ModelRequired(UnknownModel):
    code = "model_required"
    default_message = (
        "This deployment has no default model for this route: send 'model' "
        "(GET /v1/models lists the models you can use)."
    )


@dataclass(slots=True, eq=False)
class Deployment:
    provider: Provider
    upstream_model: str
    weight: int
    cooldown_until: float = 0.0  # time.monotonic() before which it is tried last

    @property
    def retention_days(self) -> int | None:
        return self.provider.info.retention_days


@dataclass(slots=True, eq=False)
class Target:
    """One public model and its deployments."""

    model: ModelSettings
    deployments: list[Deployment]
    max_context_length: int
    total_weight: int = field(init=False)

    def __post_init__(self) -> None:
        self.total_weight = sum(deployment.weight for deployment in self.deployments)

    @property
    def retention_days(self) -> int | None:
        """The longest retention any deployment declares (what GET /v1/models shows)."""
        days = [d.retention_days for d in self.deployments if d.retention_days is not None]
        return max(days) if days else None


class ModelRouter:
    def __init__(
        self,
        models: list[ModelSettings],
        providers: dict[str, Provider],
        routing: RoutingSettings | None = None,
        choose: random.Random | None = None,
    ) -> None:
        self._routing = routing or RoutingSettings()
        self._random = choose or random.Random()
        self._targets: dict[str, Target] = {}
        self._by_name: dict[str, Target] = {}
        self._defaults: dict[Route, Target] = {}
        for model in models:
            deployments = [
                Deployment(providers[d.provider], d.upstream_model or model.name, d.weight)
                for d in model.deployment_list()
            ]
            target = Target(model, deployments, _context_length(model, deployments))
            self._targets[model.name] = target
            for name in (model.name, *model.aliases):
                self._by_name[name] = target
            for route in model.default_for:
                self._defaults[route] = target

    @property
    def max_failovers(self) -> int:
        return self._routing.max_failovers

    def resolve(self, model_name: object, route: Route, decision: Decision) -> Target:
        """The model for this request (404-free: unknown names are a 400 unknown_model)."""
        if model_name is None and route in (Route.OCR, Route.AUDIO_SPEECH):
            target = self._defaults.get(route)
            if target is None:
                raise ModelRequired()
        else:
            target = self._by_name.get(model_name) if isinstance(model_name, str) else None
        if target is None or route not in target.model.routes:
            raise UnknownModel()
        return target

    def attempts(self, target: Target, route: Route, decision: Decision) -> list[Deployment]:
        """The eligible deployments in the order to try them (at most 1 + max_failovers)."""
        deployments = target.deployments
        if len(deployments) == 1:  # the common case: no choice to make
            only = deployments[0]
            _check_eligible(only, route, decision)
            return deployments
        now = time.monotonic()
        ready: list[Deployment] = []
        cooling: list[Deployment] = []
        for deployment in deployments:
            if _is_eligible(deployment, route, decision):
                (ready if deployment.cooldown_until <= now else cooling).append(deployment)
        if not ready and not cooling:
            if any(d.provider.supports(route) for d in deployments):
                raise UpstreamZdrUnavailable()
            raise RouteNotSupported(deployments[0].provider.info.name)
        if len(ready) > 1:  # one weighted draw for the first; failover follows declared order
            first = self._random.choices(ready, weights=[d.weight for d in ready])[0]
            ready.remove(first)
            ready.insert(0, first)
        if cooling:
            cooling.sort(key=lambda d: d.cooldown_until)
            ready.extend(cooling)
        return ready[: 1 + self._routing.max_failovers]

    def failed(self, deployment: Deployment) -> None:
        """Put a deployment that just failed into cool-down."""
        deployment.cooldown_until = time.monotonic() + self._routing.cooldown_seconds

    def targets(self) -> list[Target]:
        return list(self._targets.values())


def _is_eligible(deployment: Deployment, route: Route, decision: Decision) -> bool:
    if not deployment.provider.supports(route):
        return False
    return not (decision.requires_upstream_zdr and deployment.retention_days is not None)


def _check_eligible(deployment: Deployment, route: Route, decision: Decision) -> None:
    if not deployment.provider.supports(route):
        raise RouteNotSupported(deployment.provider.info.name)
    if decision.requires_upstream_zdr and deployment.retention_days is not None:
        raise UpstreamZdrUnavailable()


def _context_length(model: ModelSettings, deployments: list[Deployment]) -> int:
    if model.max_context_length is not None:
        return model.max_context_length
    known = [
        length
        for deployment in deployments
        if (length := deployment.provider.info.context_length) is not None
    ]
    return min(known) if known else 32768
