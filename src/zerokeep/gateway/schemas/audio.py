"""Request bodies of `/v1/audio/speech` (JSON) and `/v1/audio/transcriptions` (multipart)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Json

from .base import ClosedModel


class RawAudio(ClosedModel):
    data: str


class SpeechUserTurn(ClosedModel):
    role: Literal["user"] = "user"
    audio: RawAudio


class SpeechAssistantTurn(ClosedModel):
    role: Literal["assistant"] = "assistant"
    text: str
    audio: RawAudio


SpeechTurn = Annotated[SpeechUserTurn | SpeechAssistantTurn, Field(discriminator="role")]


class SpeechRequest(BaseModel):
    """Spec `SpeechRequest` (`additionalProperties: true`) plus SDK 3.7.0's extra fields."""

    model_config = ConfigDict(extra="allow")

    input: str
    model: str | None = None
    metadata: dict[str, Any] | None = None
    stream: bool = False
    prompt_cache_key: str | None = None
    voice_id: str | None = None
    ref_audio: str | None = None
    response_format: Literal["pcm", "wav", "mp3", "flac", "opus"] = "mp3"
    # SDK 3.7.0 only:
    expressiveness: float | None = None
    # word -> IPA symbols. SDK 3.7.0 checks each symbol against its own alphabet; the alphabet
    # is not in the published spec, so the upstream stays the judge of the symbols.
    phoneme_hints: dict[str, list[str]] | None = None
    conversation_history: list[SpeechTurn] | None = None


def _one_or_many(value: Any) -> Any:
    # A repeated multipart field sent once reads back as a single string.
    return [value] if isinstance(value, str) else value


class TranscriptionForm(BaseModel):
    """The non-file form fields of `/v1/audio/transcriptions` (`multipart/form-data`).

    Multipart values arrive as strings ("false", "0.2"); pydantic's lax mode turns them into
    the typed values. Repeated fields (`context_bias`, `timestamp_granularities`) arrive as
    lists. `speaker_references` (SDK 3.7.0) is a JSON part. The spec object is open, so unknown
    form fields are kept rather than refused. The spec has two request schemas, one with
    `stream` const false and one (`#stream`) with const true: one bool covers both.

    >>> TranscriptionForm.model_validate({"model": "voxtral-mini-latest", "stream": "true"}).stream
    True
    """

    model_config = ConfigDict(extra="allow")

    model: str
    file_url: Annotated[str, Field(min_length=1, max_length=2083)] | None = None
    file_id: str | None = None
    language: Annotated[str, Field(pattern=r"^\w{2}$")] | None = None
    temperature: float | None = None
    stream: bool = False
    diarize: bool = False
    context_bias: Annotated[
        list[Annotated[str, Field(pattern=r"^[^,\s]+$")]], BeforeValidator(_one_or_many)
    ] = Field(default_factory=list)
    timestamp_granularities: Annotated[
        list[Literal["segment", "word"]] | None, BeforeValidator(_one_or_many)
    ] = None
    speaker_references: Json[dict[str, str]] | None = None
