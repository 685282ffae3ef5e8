"""Where a request's `file_id` is turned into the file itself: the seam to the Files API.

OCR and transcription may name their document or audio by `file_id` (a file uploaded through
`POST /v1/files`). The gateway never forwards such an id to an upstream (the upstream does not
hold our files); it asks the FileSource for the organization's own file (files/source.py) and
sends it inline (providers/base.build_upstream_request). Another organization's id, or a
deleted file, is a 404.

    source: FileSource = files.source.file_source(sessions, storage, max_bytes)
    stored = await source(organization_id, user_id, file_id)   # Content[UploadedFile]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from zerokeep.providers.base import UploadedFile
from zerokeep.retention.content import Content

# (organization id, user id, file id) -> the organization's stored file, or NotFound.
FileSource = Callable[[str, str | None, str], Awaitable[Content[UploadedFile]]]
