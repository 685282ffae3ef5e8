"""OCR with RapidOCR (PP-OCR ONNX models bundled in its wheel); PDFs rendered with pypdfium2.

Input: `document` of type `document_url` (a PDF or image) or `image_url`, as a `data:` URL with
base64 content. Remote http(s) URLs are refused locally (the provider fetches nothing), as are
`file` ids (the file store is not wired to the local provider). Output is one page per PDF page
(or one page for an image) whose markdown is the recognised lines in reading order, one per
line. No layout, tables, images or annotations are produced: `images` is always empty.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from zerokeep.providers.local.errors import RemoteDocumentNotSupported, UnreadableInput

RENDER_DPI = 150
_PDF_MAGIC = b"%PDF"


class OcrEngine(Protocol):
    def __call__(self, img_content: NDArray[np.uint8]) -> tuple[Any, Any]: ...


def load_ocr() -> OcrEngine:
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

    engine: OcrEngine = RapidOCR()
    return engine


def document_bytes(document: Any, provider: str) -> bytes:
    """Decode the request's `document` (data URL only) to raw bytes."""
    if not isinstance(document, dict):
        raise UnreadableInput(provider)
    kind = document.get("type")
    url: Any = document.get("document_url") if kind == "document_url" else None
    if kind == "image_url":
        url = document.get("image_url")
        if isinstance(url, dict):
            url = url.get("url")
    if not isinstance(url, str):
        raise RemoteDocumentNotSupported(provider)
    return decode_data_url(url, provider)


def decode_data_url(url: str, provider: str) -> bytes:
    if not url.startswith("data:"):
        raise RemoteDocumentNotSupported(provider)
    header, _, payload = url.partition(",")
    if ";base64" not in header:
        raise UnreadableInput(provider)
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as error:
        raise UnreadableInput(provider) from error


def _selected(pages: Any, count: int) -> list[int]:
    """Zero-based page indices from the Mistral `pages` option (list of ints or "0-2,5")."""
    if pages is None:
        return list(range(count))
    chosen: list[int] = []
    items = pages.split(",") if isinstance(pages, str) else list(pages)
    for item in items:
        if isinstance(item, str) and "-" in item:
            start, _, end = item.partition("-")
            chosen.extend(range(int(start), int(end) + 1))
        else:
            chosen.append(int(item))
    return [index for index in chosen if 0 <= index < count]


def page_images(data: bytes, pages: Any, provider: str) -> list[tuple[int, NDArray[np.uint8], int]]:
    """Return (page index, RGB pixels, dpi) for each selected page of a PDF or an image."""
    try:
        if data.startswith(_PDF_MAGIC):
            return _pdf_pages(data, pages)
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi", (72, 72))[0]
            pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
        return [(0, pixels, round(float(dpi)))]
    except (OSError, ValueError) as error:
        raise UnreadableInput(provider) from error


def _pdf_pages(data: bytes, pages: Any) -> list[tuple[int, NDArray[np.uint8], int]]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = pdfium.PdfDocument(data)
    try:
        rendered = []
        for index in _selected(pages, len(pdf)):
            bitmap = pdf[index].render(scale=RENDER_DPI / 72)
            pixels = np.asarray(bitmap.to_pil().convert("RGB"), dtype=np.uint8)
            rendered.append((index, pixels, RENDER_DPI))
        return rendered
    finally:
        pdf.close()


def recognise(engine: OcrEngine, pixels: NDArray[np.uint8]) -> str:
    """Recognised text lines in RapidOCR's reading order, as markdown paragraphs."""
    # RapidOCR expects OpenCV's BGR channel order for arrays.
    result, _elapsed = engine(np.ascontiguousarray(pixels[:, :, ::-1]))
    if not result:
        return ""
    return "\n\n".join(str(line[1]) for line in result)


def page_object(index: int, markdown: str, pixels: NDArray[np.uint8], dpi: int) -> dict[str, Any]:
    height, width = int(pixels.shape[0]), int(pixels.shape[1])
    return {
        "index": index,
        "markdown": markdown,
        "images": [],
        "dimensions": {"dpi": dpi, "height": height, "width": width},
    }


def response(model: str, pages: list[dict[str, Any]], size: int) -> dict[str, Any]:
    return {
        "pages": pages,
        "model": model,
        "document_annotation": None,
        "usage_info": {"pages_processed": len(pages), "doc_size_bytes": size},
    }
