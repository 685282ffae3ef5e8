"""Turn a raw request body into a validated, Content-wrapped call (JSON or multipart).

Errors never echo what was sent: malformed JSON, wrong types and unknown fields all become
422s whose details name only schema fields (schemas.validation_details).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from pydantic import ValidationError

from zerokeep.errors import ValidationFailed
from zerokeep.gateway.multipart import FormPart, MalformedForm, parse_form
from zerokeep.gateway.openai_dialect import to_mistral_names
from zerokeep.gateway.schemas import REQUEST_MODELS, TranscriptionForm, validation_details
from zerokeep.providers.base import UploadedFile
from zerokeep.retention.catalogue import Route
from zerokeep.retention.content import Content

_LIST_FORM_FIELDS = frozenset({"context_bias", "timestamp_granularities"})
_URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True, repr=False)
class ParsedCall:
    model_name: object  # as sent; compared against configured names, never logged or echoed
    is_stream: bool
    body: Content[dict[str, Any]]
    file: Content[UploadedFile] | None = None
    # The id of one of the organization's stored files the call names (OCR, transcription).
    file_id: str | None = None
    wants_usage: bool = False  # OpenAI's stream_options.include_usage

    def __repr__(self) -> str:
        return "<ParsedCall redacted>"


def _body_details(error: ValidationError) -> ValidationFailed:
    """422 details located the way the Mistral API locates them: under "body"."""
    return ValidationFailed(
        [{**detail, "loc": ["body", *detail["loc"]]} for detail in validation_details(error)]
    )


def _invalid(kind: str, message: str) -> ValidationFailed:
    return ValidationFailed([{"type": kind, "loc": ["body"], "msg": message}])


def parse_call(route: Route, content_type: str | None, raw: bytes) -> ParsedCall:
    if route is Route.AUDIO_TRANSCRIPTIONS:
        return _parse_transcription(content_type, raw)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _invalid("json_invalid", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise _invalid("model_attributes_type", "The body must be a JSON object.")
    wants_usage = to_mistral_names(route, data)
    try:
        REQUEST_MODELS[route].model_validate(data)
    except ValidationError as error:
        raise _body_details(error) from None
    document = data.get("document") if route is Route.OCR else None
    file_id = document.get("file_id") if isinstance(document, dict) else None
    return ParsedCall(
        model_name=data.get("model"),
        is_stream=data.get("stream") is True,
        body=Content(data, size=len(raw)),
        file_id=file_id if isinstance(file_id, str) else None,
        wants_usage=wants_usage,
    )


def _parse_transcription(content_type: str | None, raw: bytes) -> ParsedCall:
    fields: dict[str, Any] = {}
    upload: UploadedFile | None = None
    for part in _form_parts(content_type, raw):
        if part.name == "file" and part.filename is not None:
            upload = UploadedFile(part.filename, part.content_type, part.data)
        elif part.name in _LIST_FORM_FIELDS:
            fields.setdefault(part.name, []).append(part.data.decode("utf-8", "replace"))
        else:
            fields[part.name] = part.data.decode("utf-8", "replace")
    try:
        form = TranscriptionForm.model_validate(fields)
    except ValidationError as error:
        raise _body_details(error) from None
    sources = [upload is not None, bool(fields.get("file_url")), bool(fields.get("file_id"))]
    if sum(sources) != 1:
        raise _invalid("value_error", "Send exactly one audio source: file, file_url or file_id.")
    body = form.model_dump(exclude_none=True, exclude_unset=True, mode="json")
    return ParsedCall(
        model_name=body.get("model"),
        is_stream=body.get("stream") is True,
        body=Content(body, size=len(raw)),
        file=Content(upload, size=len(upload.data)) if upload is not None else None,
        file_id=form.file_id or None,
    )


def _form_parts(content_type: str | None, raw: bytes) -> list[FormPart]:
    """Multipart parts, or the fields of a url-encoded form: with no file attached (`file_url`,
    `file_id`), the SDK's form encoder sends application/x-www-form-urlencoded."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if media_type != _URLENCODED:
        return parse_form(content_type, raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedForm("A url-encoded form must be UTF-8.") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=256)
    except ValueError:
        raise MalformedForm("The form has too many fields.") from None
    return [FormPart(name, None, "text/plain", value.encode()) for name, value in pairs]
