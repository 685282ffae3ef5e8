"""Receive a multipart upload as a stream: the file part flows to the blob store chunk by chunk.

Starlette's form parser spools big parts to temporary files in plaintext (a sink outside the
two doors), and parse_form in gateway/multipart.py holds the whole body; neither fits a 512 MB
upload. Here python-multipart's push parser is fed from the request stream, the file part's
bytes are handed on as they arrive, and small form fields are kept (bounded). Fields may come
before or after the file, so the content checks that need the purpose run at the end.

    upload = UploadStream(request.headers.get("content-type"), request.stream(), limit)
    size = await blobs.put(name, upload.file_chunks(), key)   # drives the whole parse
    upload.fields["purpose"], upload.filename, upload.inspection
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import orjson
from python_multipart.multipart import MultipartParser, parse_options_header

from zerokeep.errors import InvalidRequest, PayloadTooLarge
from zerokeep.gateway.multipart import MalformedForm

MAX_FIELD_BYTES = 1024
HEAD_BYTES = 64
# A JSONL line longer than this is not accepted as JSONL: it bounds what the check holds.
MAX_JSONL_LINE_BYTES = 4 * 1024 * 1024


class FileTooLarge(PayloadTooLarge):
    code = "file_too_large"


class MissingFile(InvalidRequest):
    code = "missing_file"
    default_message = "Send the file as the multipart part named 'file', with a filename."


@dataclass(slots=True, repr=False)
class Inspection:
    """What the checks need to know about the bytes, gathered while they stream past."""

    head: bytes = b""
    size: int = 0
    lines: int = 0
    is_jsonl: bool = True  # every non-empty line so far is a JSON object
    partial_line: bytearray = field(default_factory=bytearray)

    def __repr__(self) -> str:
        return f"<Inspection {self.size} bytes, {self.lines} lines, redacted>"

    def feed(self, data: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.size += len(data)
        if not self.is_jsonl:
            return
        self.partial_line += data
        *complete, rest = bytes(self.partial_line).split(b"\n")
        self.partial_line = bytearray(rest)
        for line in complete:
            self._line(line)
        if len(self.partial_line) > MAX_JSONL_LINE_BYTES:
            self.is_jsonl = False
            self.partial_line = bytearray()

    def finish(self) -> None:
        if self.is_jsonl and self.partial_line.strip():
            self._line(bytes(self.partial_line))
        self.partial_line = bytearray()

    def _line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            self.is_jsonl = isinstance(orjson.loads(line), dict)
        except orjson.JSONDecodeError:
            self.is_jsonl = False
        if self.is_jsonl:
            self.lines += 1
        else:
            self.partial_line = bytearray()


class UploadStream:
    def __init__(
        self, content_type: str | None, body: AsyncIterator[bytes], max_file_bytes: int
    ) -> None:
        media_type, options = parse_options_header(content_type or "")
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise MalformedForm("POST /v1/files takes multipart/form-data with a boundary.")
        self._body = body
        self._limit = max_file_bytes
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.part_content_type: str | None = None
        self.inspection = Inspection()
        self._pending: list[bytes] = []  # file bytes parsed, not yet handed on
        self._headers: dict[bytes, bytes] = {}
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._part: str | None = None  # "file", a field name, or None (ignored part)
        self._field_value = bytearray()
        self._files_seen = 0
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )

    async def file_chunks(self) -> AsyncIterator[bytes]:
        """The file part's bytes as they arrive; consuming it drives the whole parse."""
        async for piece in self._body:
            self._write(piece)
            while self._pending:
                yield self._pending.pop(0)
        try:
            self._parser.finalize()
        except Exception:  # noqa: BLE001 - parser errors quote the input; keep only the fact
            raise MalformedForm() from None
        if self._files_seen != 1 or self.filename is None:
            raise MissingFile()
        self.inspection.finish()

    def _write(self, piece: bytes) -> None:
        try:
            self._parser.write(piece)
        except (FileTooLarge, InvalidRequest):
            raise
        except Exception:  # noqa: BLE001 - parser errors quote the input; keep only the fact
            raise MalformedForm() from None

    def _on_part_begin(self) -> None:
        self._headers = {}
        self._part = None
        self._field_value = bytearray()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise MalformedForm("Every multipart part needs a form-data name.")
        name = options[b"name"].decode("utf-8", "replace")
        if name == "file":
            self._files_seen += 1
            if self._files_seen > 1:
                raise InvalidRequest("Send one file per upload.", param="file")
            raw_filename = options.get(b"filename")
            self.filename = raw_filename.decode("utf-8", "replace") if raw_filename else None
            content_type = self._headers.get(b"content-type")
            self.part_content_type = content_type.decode("latin-1") if content_type else None
            self._part = "file"
        else:
            self._part = name

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        if self._part == "file":
            if self.inspection.size + len(piece) > self._limit:
                raise FileTooLarge(
                    f"The file is larger than this deployment accepts ({self._limit} bytes)."
                )
            self.inspection.feed(piece)
            self._pending.append(piece)
        elif self._part is not None:
            self._field_value += piece
            if len(self._field_value) > MAX_FIELD_BYTES:
                raise InvalidRequest("A form field is too long.")

    def _on_part_end(self) -> None:
        if self._part not in (None, "file"):
            assert self._part is not None
            self.fields[self._part] = self._field_value.decode("utf-8", "replace")
        self._part = None
