"""Benchmark of the local provider: chat tokens/s, embeddings/s, s per OCR page, transcription RTF.

Run: `.venv/bin/python bench/local_provider.py`. Models are loaded (warm-up call) before timing.
"""

from __future__ import annotations

import asyncio
import base64
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from zerokeep.providers.base import UploadedFile, UpstreamRequest
from zerokeep.providers.local import LocalProvider
from zerokeep.retention.catalogue import Route


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    await call()  # warm-up: loads the model
    start = time.perf_counter()
    result = None
    for _ in range(repeat):
        result = await call()
    return (time.perf_counter() - start) / repeat, result


def page_url() -> str:
    image = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=28)
    for row in range(30):
        draw.text(
            (80, 80 + 54 * row), f"Line {row}: the quick brown fox jumps over it.", "black", font
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def main() -> None:
    local = LocalProvider()
    rows: list[tuple[str, str]] = []

    chat_body = {
        "messages": [{"role": "user", "content": "Tell me about the sea."}],
        "max_tokens": 128,
        "temperature": 0.7,
        "random_seed": 1,
    }
    chat = UpstreamRequest(Route.CHAT_COMPLETIONS, "local", chat_body)
    seconds, result = await timed(lambda: local.send(chat), 3)
    rows.append(
        (
            "chat (SmolLM2-135M Q4_1)",
            f"{result['usage']['completion_tokens'] / seconds:.1f} tokens/s",
        )
    )

    texts = [f"Sentence number {i} about weather, markets and football." for i in range(64)]
    embed = UpstreamRequest(Route.EMBEDDINGS, "local", {"input": texts})
    seconds, _ = await timed(lambda: local.send(embed), 3)
    rows.append(("embeddings (e5-small q4)", f"{len(texts) / seconds:.1f} inputs/s"))

    moderation = UpstreamRequest(Route.MODERATIONS, "local", {"input": texts[:16]})
    seconds, _ = await timed(lambda: local.send(moderation), 3)
    rows.append(("moderation (e5 exemplars)", f"{16 / seconds:.1f} inputs/s"))

    ocr = UpstreamRequest(
        Route.OCR, "local", {"document": {"type": "image_url", "image_url": page_url()}}
    )
    seconds, _ = await timed(lambda: local.send(ocr), 2)
    rows.append(("OCR (RapidOCR, A4 150 dpi, 30 lines)", f"{seconds:.2f} s/page"))

    words = "The weather today is sunny with a light breeze from the west. " * 3
    speech = UpstreamRequest(
        Route.AUDIO_SPEECH, "local", {"input": words, "response_format": "wav"}
    )
    seconds, result = await timed(lambda: local.send(speech), 3)
    audio = base64.b64decode(result["audio_data"])
    audio_seconds = (len(audio) - 44) / 2 / 24_000
    rows.append(("speech (eSpeak NG, wav)", f"{audio_seconds / seconds:.0f}x real time"))

    upload = UploadedFile("speech.wav", "audio/wav", audio)
    stt = UpstreamRequest(Route.AUDIO_TRANSCRIPTIONS, "local", {}, file=upload)
    seconds, _ = await timed(lambda: local.send(stt), 2)
    rows.append(
        ("transcription (PocketSphinx en-us)", f"{seconds / audio_seconds:.2f} s per audio s")
    )

    await local.aclose()
    width = max(len(name) for name, _ in rows)
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")


if __name__ == "__main__":
    asyncio.run(main())
