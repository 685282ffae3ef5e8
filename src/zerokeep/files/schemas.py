"""Pydantic I/O of the Files API, shaped like the official spec (`CreateFileResponse` & co)."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel

from zerokeep.models import StoredFile


class FilePurpose(enum.StrEnum):
    FINE_TUNE = "fine-tune"
    BATCH = "batch"
    OCR = "ocr"
    AUDIO = "audio"  # the spec's description lists it for transcription


class SampleType(enum.StrEnum):
    PRETRAIN = "pretrain"
    INSTRUCT = "instruct"
    BATCH_REQUEST = "batch_request"
    BATCH_RESULT = "batch_result"
    BATCH_ERROR = "batch_error"


class Source(enum.StrEnum):
    UPLOAD = "upload"
    REPOSITORY = "repository"
    MISTRAL = "mistral"


class Visibility(enum.StrEnum):
    WORKSPACE = "workspace"
    USER = "user"


def _epoch(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


class FileObject(BaseModel):
    id: str
    object: str = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: FilePurpose
    sample_type: SampleType
    num_lines: int | None = None
    mimetype: str | None = None
    source: Source
    signature: str | None = None
    expires_at: int | None = None
    visibility: Visibility | None = None
    deleted: bool = False

    @classmethod
    def of(cls, stored: StoredFile) -> FileObject:
        return cls(
            id=stored.id,
            bytes=stored.size_bytes,
            created_at=int(stored.created_at.timestamp()),
            filename=stored.filename,
            purpose=FilePurpose(stored.purpose),
            sample_type=SampleType(stored.sample_type),
            num_lines=stored.num_lines,
            mimetype=stored.mimetype,
            source=Source(stored.source),
            expires_at=_epoch(stored.expires_at),
            visibility=Visibility(stored.visibility),
            deleted=stored.deleted_at is not None,
        )


class FileList(BaseModel):
    data: list[FileObject]
    object: str = "list"
    total: int | None = None


class FileDeleted(BaseModel):
    id: str
    object: str = "file"
    deleted: bool = True


class SignedUrl(BaseModel):
    url: str
