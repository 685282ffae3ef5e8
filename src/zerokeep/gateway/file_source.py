"""Where a request's `file_id` is turned into the file's bytes: the seam to the Files API.

A transcription may name its audio by `file_id` (a file uploaded through `POST /v1/files`).
The gateway never forwards such an id to an upstream (the upstream does not hold our files);
it asks a FileSource for the organization's file and sends the audio itself. Until the Files
API is wired in, `NoFileSource` answers a clear 400.

    source: FileSource = NoFileSource()
    upload = await source.audio(organization_id, file_id)
"""

from __future__ import annotations

from typing import Protocol

from zerokeep.errors import InvalidRequest
from zerokeep.providers.base import UploadedFile


class FileIdNotSupported(InvalidRequest):
    code = "file_id_not_supported"
    default_message = (
        "This deployment cannot read audio by file_id yet: send the audio as 'file' "
        "(multipart upload) or by 'file_url'."
    )


class FileSource(Protocol):
    async def audio(self, organization_id: str, file_id: str) -> UploadedFile:
        """The organization's file (404 NotFound for another organization's or a deleted id)."""
        ...


class NoFileSource:
    async def audio(self, organization_id: str, file_id: str) -> UploadedFile:
        raise FileIdNotSupported(param="file_id")
