"""OCR of documents the tests render themselves: a PNG image and a two-page PDF."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from zerokeep.providers.base import UpstreamRequest
from zerokeep.providers.local import LocalProvider
from zerokeep.providers.local.errors import RemoteDocumentNotSupported
from zerokeep.retention.catalogue import Route


def _page(lines: list[str]) -> Image.Image:
    image = Image.new("RGB", (900, 100 + 80 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for row, line in enumerate(lines):
        draw.text((40, 40 + 80 * row), line, fill="black", font=font)
    return image


def _data_url(image: Image.Image, fmt: str, mime: str) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return f"data:{mime};base64," + base64.b64encode(buffer.getvalue()).decode()


def _request(document: dict[str, object], **extra: object) -> UpstreamRequest:
    return UpstreamRequest(Route.OCR, "local-test", {"document": document, **extra})


class TestOcr:
    async def test_reads_text_of_an_image(self, provider: LocalProvider) -> None:
        url = _data_url(_page(["Invoice number 4821", "Total due 350 euros"]), "PNG", "image/png")
        response = await provider.send(_request({"type": "image_url", "image_url": url}))
        (page,) = response["pages"]
        assert "Invoice" in page["markdown"]
        assert "4821" in page["markdown"]
        assert "350" in page["markdown"]
        assert page["index"] == 0
        assert page["images"] == []
        assert page["dimensions"]["width"] == 900
        assert response["usage_info"]["pages_processed"] == 1
        assert response["usage_info"]["doc_size_bytes"] > 0

    async def test_reads_each_page_of_a_pdf(self, provider: LocalProvider) -> None:
        first, second = _page(["Chapter One Harbour"]), _page(["Chapter Two Mountain"])
        buffer = io.BytesIO()
        first.save(buffer, "PDF", save_all=True, append_images=[second])
        url = "data:application/pdf;base64," + base64.b64encode(buffer.getvalue()).decode()
        response = await provider.send(_request({"type": "document_url", "document_url": url}))
        assert [page["index"] for page in response["pages"]] == [0, 1]
        assert "Harbour" in response["pages"][0]["markdown"]
        assert "Mountain" in response["pages"][1]["markdown"]

        only_second = await provider.send(
            _request({"type": "document_url", "document_url": url}, pages=[1])
        )
        assert [page["index"] for page in only_second["pages"]] == [1]

    async def test_remote_url_is_refused_with_a_typed_error(self, provider: LocalProvider) -> None:
        document = {"type": "document_url", "document_url": "https://example.com/a.pdf"}
        with pytest.raises(RemoteDocumentNotSupported) as raised:
            await provider.send(_request(document))
        assert "example.com" not in str(raised.value)
