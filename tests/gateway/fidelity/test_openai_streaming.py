"""Defect 2: streamed tool calls from an OpenAI-dialect upstream, through the mistralai SDK."""

from __future__ import annotations

from typing import Any

from mistralai.client import Mistral

from tests.fakes.scripted import Reply, ScriptedUpstream

CHAT = "/v1/chat/completions"
TOOLS = [
    {
        "type": "function",
        "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
    }
]


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "up-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def llama_cpp_tool_stream() -> list[dict[str, Any]]:
    """llama.cpp's server repeats the tool's name in every fragment of its arguments."""
    fragments = ['{"city"', ': "Par', 'is"}']
    chunks = [chunk({"role": "assistant", "content": None})]
    for number, piece in enumerate(fragments):
        call: dict[str, Any] = {
            "index": 0,
            "type": "function",
            "function": {"name": "get_weather", "arguments": piece},
        }
        if number == 0:
            call["id"] = "call_abc"
        chunks.append(chunk({"tool_calls": [call]}))
    chunks.append(chunk({}, "tool_calls"))
    return chunks


class TestStreamedToolCalls:
    def test_repeated_name_is_not_concatenated_and_calls_arrive_as_they_come(
        self, client: Mistral, upstreams: tuple[ScriptedUpstream, ScriptedUpstream]
    ) -> None:
        _, openai = upstreams
        openai.reply(CHAT, Reply.sse(llama_cpp_tool_stream()))
        events = list(
            client.chat.stream(
                model="m-openai",
                messages=[{"role": "user", "content": "weather in Paris?"}],
                tools=TOOLS,
            )
        )
        name, arguments, ids = "", "", []
        relayed_before_finish = 0
        for event in events:
            for choice in event.data.choices:
                for call in choice.delta.tool_calls or []:
                    assert call.index == 0
                    name += call.function.name
                    arguments += str(call.function.arguments)
                    if call.id not in (None, "null"):
                        ids.append(call.id)
                    if choice.finish_reason is None:
                        relayed_before_finish += 1
        assert name == "get_weather"
        assert arguments == '{"city": "Paris"}'
        assert ids == ["call_abc"]
        assert relayed_before_finish == 3
        assert events[-1].data.choices[0].finish_reason == "tool_calls"
