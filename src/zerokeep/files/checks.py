"""What a file of each purpose must look like, judged from its name and the bytes seen
while it streamed (the first bytes, and whether every line is a JSON object).

    mimetype = check_content(FilePurpose.BATCH, "requests.jsonl", inspection)  # or InvalidRequest
"""

from __future__ import annotations

from zerokeep.errors import InvalidRequest
from zerokeep.files.schemas import FilePurpose, SampleType
from zerokeep.files.upload import Inspection

JSONL_MIMETYPE = "application/jsonl"

# Magic numbers of the documents OCR reads and the audio transcription reads.
_DOCUMENT_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),  # docx, pptx
)
_AUDIO_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\xff\xf2", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "audio/webm"),
)

SAMPLE_TYPES = {
    FilePurpose.FINE_TUNE: SampleType.INSTRUCT,
    FilePurpose.BATCH: SampleType.BATCH_REQUEST,
    FilePurpose.OCR: SampleType.PRETRAIN,
    FilePurpose.AUDIO: SampleType.PRETRAIN,
}


def parse_purpose(value: str | None) -> FilePurpose:
    if value is None or value == "":
        return FilePurpose.FINE_TUNE  # the API's historical default
    try:
        return FilePurpose(value)
    except ValueError:
        allowed = ", ".join(purpose.value for purpose in FilePurpose)
        raise InvalidRequest(f"Unknown purpose: use one of {allowed}.", param="purpose") from None


def check_content(purpose: FilePurpose, filename: str, seen: Inspection) -> str:
    """The file's mimetype, or a clear 400 saying what this purpose accepts."""
    if seen.size == 0:
        raise InvalidRequest("The file is empty.", param="file")
    if purpose in (FilePurpose.BATCH, FilePurpose.FINE_TUNE):
        if not filename.lower().endswith(".jsonl") or not seen.is_jsonl or seen.lines == 0:
            raise InvalidRequest(
                f"Files for '{purpose.value}' must be .jsonl: one JSON object per line.",
                param="file",
            )
        return JSONL_MIMETYPE
    if purpose is FilePurpose.OCR:
        found = _sniff(seen.head, _DOCUMENT_MAGIC) or _webp(seen.head)
        if found is None:
            raise InvalidRequest(
                "Files for 'ocr' must be a PDF, an image (PNG, JPEG, GIF, TIFF, WebP) "
                "or an office document.",
                param="file",
            )
        return found
    found = _sniff(seen.head, _AUDIO_MAGIC) or _riff_wave(seen.head) or _mp4(seen.head)
    if found is None:
        raise InvalidRequest(
            "Files for 'audio' must be WAV, MP3, OGG, FLAC, WebM or M4A audio.", param="file"
        )
    return found


def _sniff(head: bytes, table: tuple[tuple[bytes, str], ...]) -> str | None:
    for magic, mimetype in table:
        if head.startswith(magic):
            return mimetype
    return None


def _webp(head: bytes) -> str | None:
    return "image/webp" if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else None


def _riff_wave(head: bytes) -> str | None:
    return "audio/wav" if head[:4] == b"RIFF" and head[8:12] == b"WAVE" else None


def _mp4(head: bytes) -> str | None:
    return "audio/mp4" if head[4:8] == b"ftyp" else None
