"""Settings: the one typed configuration object, from ZEROKEEP_* variables and zerokeep.toml.

This is the only module that reads os.environ. A bad setting fails at start-up with a message
naming the setting and what is allowed (`SettingsError`).

    settings = load_settings()          # env + ./zerokeep.toml if present
    settings.database_url               # 'sqlite+aiosqlite:///zerokeep-data/zerokeep.db'
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from zerokeep.retention.catalogue import Route

ProviderKind = Literal["local", "mistral", "openai_compatible"]


class ProviderSettings(BaseModel):
    """One upstream, as declared in `[[providers]]` of zerokeep.toml."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    kind: ProviderKind
    base_url: str | None = None
    api_key: str | None = None
    # Retention the upstream declares: "none", or a number of days it keeps inputs/outputs.
    retention: Literal["none"] | int = "none"
    timeout_seconds: float = Field(default=120.0, gt=0)
    max_concurrency: int = Field(default=2, ge=1)
    queue_size: int = Field(default=32, ge=0)
    # Local chat model's context window in tokens; None: the model's own maximum (8192).
    context_tokens: int | None = Field(default=None, ge=256)

    @property
    def retention_days(self) -> int | None:
        return None if self.retention == "none" else int(self.retention)


class DeploymentSettings(BaseModel):
    """One upstream serving a public model name, in `deployments` of a `[[models]]` entry."""

    model_config = ConfigDict(extra="forbid")

    provider: str
    upstream_model: str | None = None
    # Share of the traffic, relative to the model's other deployments.
    weight: int = Field(default=1, ge=1, le=1000)


class ModelSettings(BaseModel):
    """One public model name, from `[[models]]`: routed to one upstream (`provider`,
    `upstream_model`) or spread over several (`deployments`), never both."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    provider: str | None = None
    upstream_model: str | None = None
    deployments: list[DeploymentSettings] = Field(default_factory=list)
    routes: list[Route] = Field(min_length=1)
    description: str = ""
    # None: the provider's own value when it knows it (local models), else 32768.
    max_context_length: int | None = Field(default=None, ge=1)
    aliases: list[str] = Field(default_factory=list)
    # Capabilities the upstream model has beyond what its routes imply (GET /v1/models).
    function_calling: bool = False
    vision: bool = False
    reasoning: bool = False
    # Routes whose requests may omit `model` (OCR's model is nullable, speech's optional).
    default_for: list[Route] = Field(default_factory=list)
    # Optional prices, in the deployment's currency per million tokens: usage shows the cost.
    input_price_per_million: float | None = Field(default=None, ge=0)
    output_price_per_million: float | None = Field(default=None, ge=0)

    @property
    def upstream_name(self) -> str:
        return self.upstream_model or self.name

    def model_post_init(self, context: Any) -> None:
        if (self.provider is None) == (not self.deployments):
            raise ValueError(
                f"models: model {self.name!r} needs either provider (one upstream) or "
                "deployments (several), not both and not neither"
            )
        strays = [route.value for route in self.default_for if route not in self.routes]
        if strays:
            raise ValueError(
                f"models: model {self.name!r} is default_for {strays}, which are not in its routes"
            )

    def deployment_list(self) -> list[DeploymentSettings]:
        if self.provider is not None:
            return [DeploymentSettings(provider=self.provider, upstream_model=self.upstream_model)]
        return [
            deployment.model_copy(update={"upstream_model": deployment.upstream_model or self.name})
            for deployment in self.deployments
        ]


class RoutingSettings(BaseModel):
    """Failover between the deployments of one model (`[routing]` in zerokeep.toml)."""

    model_config = ConfigDict(extra="forbid")

    # Further deployments tried after the first fails (before any byte reached the client).
    max_failovers: int = Field(default=2, ge=0, le=10)
    # A deployment that failed is skipped for this long while another one is available.
    cooldown_seconds: float = Field(default=30.0, ge=0)


def _default_models() -> list[ModelSettings]:
    return [
        ModelSettings(
            name="local-chat",
            provider="local",
            routes=[Route.CHAT_COMPLETIONS, Route.FIM_COMPLETIONS],
            description="SmolLM2-135M-Instruct, on this machine (llama.cpp)",
        ),
        ModelSettings(
            name="local-embed",
            provider="local",
            routes=[Route.EMBEDDINGS],
            description="multilingual-e5-small, 4-bit, on this machine",
            max_context_length=512,
        ),
        ModelSettings(
            name="local-moderation",
            provider="local",
            routes=[
                Route.MODERATIONS,
                Route.CHAT_MODERATIONS,
                Route.CLASSIFICATIONS,
                Route.CHAT_CLASSIFICATIONS,
            ],
            description="Embedding-based moderation and classification, on this machine",
            max_context_length=512,
        ),
        ModelSettings(
            name="local-ocr",
            provider="local",
            routes=[Route.OCR],
            description="RapidOCR (ONNX), on this machine",
            default_for=[Route.OCR],
        ),
        ModelSettings(
            name="local-speech",
            provider="local",
            routes=[Route.AUDIO_SPEECH],
            description="eSpeak NG, on this machine",
            default_for=[Route.AUDIO_SPEECH],
        ),
        ModelSettings(
            name="local-transcribe",
            provider="local",
            routes=[Route.AUDIO_TRANSCRIPTIONS],
            description="PocketSphinx en-US, on this machine",
        ),
    ]


def _default_providers() -> list[ProviderSettings]:
    return [ProviderSettings(name="local", kind="local", retention="none")]


class Settings(BaseSettings):
    """Every setting of a zerokeep deployment. Environment variables win over zerokeep.toml."""

    model_config = SettingsConfigDict(env_prefix="ZEROKEEP_", extra="forbid")

    data_dir: Path = Path("zerokeep-data")
    database_url: str | None = None
    redis_url: str | None = None
    smtp_url: str | None = None
    email_from: str = "zerokeep@localhost"
    secret_key: str | None = Field(default=None, min_length=32)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None
    max_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    # The Files API streams uploads to the blob store, so its limit is separate (Mistral: 512 MB).
    max_file_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"
    default_abuse_window_days: int = Field(default=30, ge=0, le=3650)
    default_requests_per_minute: int = Field(default=6000, ge=1)
    default_tokens_per_minute: int = Field(default=2_000_000, ge=1)
    archive_purge_interval_seconds: float = Field(default=60.0, gt=0)
    lifecycle_sweep_interval_seconds: float = Field(default=60.0, gt=0)
    # Where background jobs run: inside `serve` over the jobs table, or (PostgreSQL only) in
    # `zerokeep worker` processes on Procrastinate. See docs/jobs.md.
    jobs_engine: Literal["embedded", "procrastinate"] = "embedded"
    jobs_lease_seconds: float = Field(default=300.0, gt=0)
    # Modules whose tasks the job layer loads besides zerokeep's own (extensions, tests).
    jobs_task_modules: list[str] = Field(default_factory=list)
    mistral_api_key: str | None = None
    # Shown on the public Trust page (/trust): the operator's DPA and privacy contact.
    trust_dpa_url: str | None = None
    trust_contact: str | None = None
    # The key hierarchy's root (base64 of 32 bytes); unset: data_dir/keys/master.key, made once.
    master_key: str | None = None
    blob_store: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_prefix: str = ""
    providers: list[ProviderSettings] = Field(default_factory=_default_providers)
    models: list[ModelSettings] = Field(default_factory=_default_models)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    # The zerokeep.toml that was read, if any (the banner prints it).
    _config_file: Path | None = PrivateAttr(default=None)

    @property
    def config_file(self) -> Path | None:
        return self._config_file

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None:
            return value
        allowed = ("sqlite+aiosqlite://", "postgresql+asyncpg://", "postgresql://", "sqlite://")
        if not value.startswith(allowed):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @field_validator("trust_dpa_url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("master_key")
    @classmethod
    def _master_key_is_32_bytes(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            decoded = base64.b64decode(value, validate=True)
        except ValueError:
            decoded = b""
        if len(decoded) != 32:
            raise ValueError("must be the base64 encoding of exactly 32 random bytes")
        return value

    @property
    def resolved_database_url(self) -> str:
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'zerokeep.db'}"
        if url.startswith("sqlite://"):
            url = "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        return url

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    def model_post_init(self, context: Any) -> None:
        if self.jobs_engine == "procrastinate" and not self.resolved_database_url.startswith(
            "postgresql"
        ):
            raise ValueError(
                "jobs_engine: procrastinate runs on PostgreSQL; set ZEROKEEP_DATABASE_URL to a "
                "postgresql:// URL or use the embedded engine"
            )
        if self.blob_store == "s3" and not self.s3_bucket:
            raise ValueError("s3_bucket: ZEROKEEP_S3_BUCKET is required when blob_store is s3")
        names = {provider.name for provider in self.providers}
        for model in self.models:
            for deployment in model.deployment_list():
                if deployment.provider not in names:
                    raise ValueError(
                        f"models: model {model.name!r} names provider {deployment.provider!r}, "
                        f"which is not declared in [[providers]] (declared: {sorted(names)})"
                    )
        _refuse_ambiguous_models(self.models)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = config_file_path()
        if toml_path is None:
            return (init_settings, env_settings)
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return (init_settings, env_settings, toml)


def config_file_path() -> Path | None:
    """The zerokeep.toml to read: the file ZEROKEEP_CONFIG names (it must exist: providers
    declare retention there, so running on the defaults by mistake is not an option), none when
    ZEROKEEP_CONFIG is empty, else ./zerokeep.toml when present."""
    named = os.environ.get("ZEROKEEP_CONFIG")
    if named is not None:
        if not named:
            return None
        path = Path(named)
        if not path.is_file():
            raise SettingsError(
                f"ZEROKEEP_CONFIG names {path}, which does not exist (or is not a file): "
                "fix the path, or set ZEROKEEP_CONFIG= (empty) to run without a config file"
            )
        return path
    default = Path("zerokeep.toml")
    return default if default.is_file() else None


def _refuse_ambiguous_models(models: list[ModelSettings]) -> None:
    """Each public name (or alias) means one model, and each route has at most one default."""
    owners: dict[str, str] = {}
    defaults: dict[Route, str] = {}
    for model in models:
        for name in (model.name, *model.aliases):
            if name in owners:
                raise ValueError(
                    f"models: the name {name!r} is declared twice (by {owners[name]!r} and "
                    f"{model.name!r}); to spread one model over several upstreams, declare it "
                    "once and list them under deployments"
                )
            owners[name] = model.name
        for route in model.default_for:
            if route in defaults:
                raise ValueError(
                    f"models: both {defaults[route]!r} and {model.name!r} are default_for "
                    f"{route.value}; keep one"
                )
            defaults[route] = model.name


class SettingsError(Exception):
    """A setting is invalid; the message names it and says what is allowed."""


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one readable message."""
    try:
        settings = Settings(**overrides)
        settings._config_file = config_file_path()
        return settings
    except ValidationError as error:
        lines = []
        for item in error.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in item["loc"])
            # Pydantic prefixes messages of our own checks with "Value error, ": noise to a user.
            message = str(item["msg"]).removeprefix("Value error, ")
            if not where:  # a cross-field check: its message names the settings involved
                lines.append(message)
                continue
            variable = f"ZEROKEEP_{where.split('.')[0].upper()}"
            lines.append(f"{where} ({variable}): {message}")
        raise SettingsError("Invalid configuration:\n  " + "\n  ".join(lines)) from None
    except ValueError as error:  # model_post_init cross-checks
        raise SettingsError(f"Invalid configuration: {error}") from None
