"""The endpoint catalogue: every public route and the retention class it belongs to.

The router, the policy, the docs and the tests all read this one table (DESIGN.md section 1).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class EndpointClass(enum.StrEnum):
    STATELESS = "stateless"  # ZDR-eligible: nothing kept for a ZDR org, archive window otherwise
    STATEFUL = "stateful"  # never ZDR: kept until deleted (grace period, then purge)
    CONTROL = "control"  # metadata only


class Route(enum.StrEnum):
    """The stateless (ZDR-eligible) routes, named as the Mistral terms name them."""

    CHAT_COMPLETIONS = "/v1/chat/completions"
    FIM_COMPLETIONS = "/v1/fim/completions"
    EMBEDDINGS = "/v1/embeddings"
    MODERATIONS = "/v1/moderations"
    CHAT_MODERATIONS = "/v1/chat/moderations"
    CLASSIFICATIONS = "/v1/classifications"
    CHAT_CLASSIFICATIONS = "/v1/chat/classifications"
    OCR = "/v1/ocr"
    AUDIO_SPEECH = "/v1/audio/speech"
    AUDIO_TRANSCRIPTIONS = "/v1/audio/transcriptions"


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    endpoint_class: EndpointClass
    summary: str
    streams: bool = False


STATELESS_ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(Route.CHAT_COMPLETIONS, EndpointClass.STATELESS, "Chat completion", streams=True),
    Endpoint(Route.FIM_COMPLETIONS, EndpointClass.STATELESS, "Fill-in-the-middle", streams=True),
    Endpoint(Route.EMBEDDINGS, EndpointClass.STATELESS, "Embeddings"),
    Endpoint(Route.MODERATIONS, EndpointClass.STATELESS, "Text moderation"),
    Endpoint(Route.CHAT_MODERATIONS, EndpointClass.STATELESS, "Conversation moderation"),
    Endpoint(Route.CLASSIFICATIONS, EndpointClass.STATELESS, "Text classification"),
    Endpoint(Route.CHAT_CLASSIFICATIONS, EndpointClass.STATELESS, "Conversation classification"),
    Endpoint(Route.OCR, EndpointClass.STATELESS, "Document OCR"),
    Endpoint(Route.AUDIO_SPEECH, EndpointClass.STATELESS, "Text to speech", streams=True),
    Endpoint(Route.AUDIO_TRANSCRIPTIONS, EndpointClass.STATELESS, "Speech to text", streams=True),
)

# Stateful products (files, batch, agents, conversations, libraries) are catalogued by prefix:
# they keep what the product needs until deleted and are never ZDR-eligible.
STATEFUL_PREFIXES: tuple[str, ...] = (
    "/v1/files",
    "/v1/batch",
    "/v1/agents",
    "/v1/conversations",
    "/v1/libraries",
)

# Metadata only: the model list, an organization's own settings and requests, the staff API, the
# deployment's Trust statement, and the connector list (none: Vibe asks for it at start-up).
CONTROL_PREFIXES: tuple[str, ...] = (
    "/v1/models",
    "/v1/organization",
    "/v1/staff",
    "/v1/trust",
    "/v1/connectors",
)

# Served by the same app but outside the API, so outside the catalogue: the admin console, the
# API's own documentation and the public Trust page. tests/test_route_catalogue.py proves every
# route the app serves is either classified above or under one of these.
OUTSIDE_API_PREFIXES: tuple[str, ...] = ("/console", "/docs", "/openapi.json", "/trust")

_STATELESS_BY_PATH = {endpoint.path: endpoint for endpoint in STATELESS_ENDPOINTS}


def class_of(route: Route) -> EndpointClass:
    """The class of a stateless route, from the table (one lookup on the hot path)."""
    return _STATELESS_BY_PATH[route].endpoint_class


def classify_path(path: str) -> EndpointClass | None:
    """Return the retention class of a request path, or None for a path outside the API.

    >>> classify_path("/v1/chat/completions")
    <EndpointClass.STATELESS: 'stateless'>
    """
    if path in _STATELESS_BY_PATH:
        return EndpointClass.STATELESS
    if any(_has_prefix(path, prefix) for prefix in STATEFUL_PREFIXES):
        return EndpointClass.STATEFUL
    if any(_has_prefix(path, prefix) for prefix in CONTROL_PREFIXES):
        return EndpointClass.CONTROL
    return None


def _has_prefix(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")
