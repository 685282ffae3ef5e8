"""The streaming multipart reader and the content checks, without a server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from zerokeep.errors import InvalidRequest, PayloadTooLarge
from zerokeep.files.checks import check_content, parse_purpose
from zerokeep.files.schemas import FilePurpose
from zerokeep.files.upload import Inspection, UploadStream
from zerokeep.gateway.multipart import MalformedForm

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def form(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


async def pieces(body: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def drain(stream: UploadStream) -> list[bytes]:
    return [chunk async for chunk in stream.file_chunks()]


class TestUploadStream:
    async def test_streams_the_file_part_and_keeps_fields_in_any_order(self) -> None:
        content = b'{"a": 1}\n{"b": 2}\n'
        body = form(("file", "x.jsonl", content), ("purpose", None, b"batch"))
        stream = UploadStream(CONTENT_TYPE, pieces(body), max_file_bytes=1000)
        chunks = await drain(stream)
        assert len(chunks) > 1  # handed on as it arrived, not at the end
        assert b"".join(chunks) == content
        assert stream.fields == {"purpose": "batch"}
        assert stream.filename == "x.jsonl"
        assert stream.inspection.lines == 2 and stream.inspection.is_jsonl

    async def test_too_large_stops_with_413(self) -> None:
        body = form(("file", "x.jsonl", b"x" * 200))
        stream = UploadStream(CONTENT_TYPE, pieces(body), max_file_bytes=100)
        with pytest.raises(PayloadTooLarge) as raised:
            await drain(stream)
        assert raised.value.status_code == 413

    async def test_two_files_are_refused(self) -> None:
        body = form(("file", "a.jsonl", b"{}"), ("file", "b.jsonl", b"{}"))
        with pytest.raises(InvalidRequest):
            await drain(UploadStream(CONTENT_TYPE, pieces(body), max_file_bytes=100))

    async def test_no_file_is_refused(self) -> None:
        body = form(("purpose", None, b"batch"))
        with pytest.raises(InvalidRequest, match="multipart part named 'file'"):
            await drain(UploadStream(CONTENT_TYPE, pieces(body), max_file_bytes=100))

    def test_not_multipart_is_refused(self) -> None:
        with pytest.raises(MalformedForm):
            UploadStream("application/json", pieces(b"{}"), max_file_bytes=100)


class TestInspection:
    def test_counts_json_object_lines_across_chunk_edges(self) -> None:
        seen = Inspection()
        for piece in (b'{"a"', b": 1}\n\n{", b'"b": 2}'):
            seen.feed(piece)
        seen.finish()
        assert seen.is_jsonl and seen.lines == 2 and seen.size == 18

    def test_a_non_object_line_is_not_jsonl(self) -> None:
        seen = Inspection()
        seen.feed(b'{"a": 1}\n[1, 2]\n')
        seen.finish()
        assert not seen.is_jsonl


class TestChecks:
    def inspected(self, data: bytes) -> Inspection:
        seen = Inspection()
        seen.feed(data)
        seen.finish()
        return seen

    def test_purposes(self) -> None:
        assert parse_purpose(None) is FilePurpose.FINE_TUNE
        assert parse_purpose("ocr") is FilePurpose.OCR
        with pytest.raises(InvalidRequest) as raised:
            parse_purpose("train-my-model")
        assert "train-my-model" not in raised.value.message

    @pytest.mark.parametrize(
        ("purpose", "name", "data", "mimetype"),
        [
            (FilePurpose.BATCH, "a.jsonl", b'{"x": 1}\n', "application/jsonl"),
            (FilePurpose.OCR, "a.pdf", b"%PDF-1.7 ...", "application/pdf"),
            (FilePurpose.OCR, "a.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
            (FilePurpose.AUDIO, "a.wav", b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
            (FilePurpose.AUDIO, "a.mp3", b"ID3\x04....", "audio/mpeg"),
        ],
    )
    def test_accepted(self, purpose: FilePurpose, name: str, data: bytes, mimetype: str) -> None:
        assert check_content(purpose, name, self.inspected(data)) == mimetype

    @pytest.mark.parametrize(
        ("purpose", "name", "data"),
        [
            (FilePurpose.BATCH, "a.txt", b'{"x": 1}\n'),
            (FilePurpose.FINE_TUNE, "a.jsonl", b"not json\n"),
            (FilePurpose.OCR, "a.pdf", b"plain text"),
            (FilePurpose.AUDIO, "a.wav", b"plain text"),
            (FilePurpose.BATCH, "a.jsonl", b""),
        ],
    )
    def test_refused(self, purpose: FilePurpose, name: str, data: bytes) -> None:
        with pytest.raises(InvalidRequest):
            check_content(purpose, name, self.inspected(data))


class TestNoContentInRepr:
    def test_inspection_repr_is_redacted(self) -> None:
        seen = Inspection()
        seen.feed(b'{"secret": "walrus"}\n')
        assert "walrus" not in repr(seen)
