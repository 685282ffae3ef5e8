"""Smoke: the official mistralai SDK against the live gateway and the fake upstream."""

from __future__ import annotations

from mistralai.client import Mistral

from tests.harness import LiveServer


class TestChatThroughSdk:
    def test_chat_complete(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(zdr=True)
        client = Mistral(api_key=key, server_url=live_server.base_url)
        response = client.chat.complete(
            model="test-model", messages=[{"role": "user", "content": "hello there"}]
        )
        assert "hello there" in response.choices[0].message.content

    def test_chat_stream(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(zdr=True)
        client = Mistral(api_key=key, server_url=live_server.base_url)
        pieces = []
        for event in client.chat.stream(
            model="test-model", messages=[{"role": "user", "content": "stream me"}]
        ):
            pieces.append(event.data.choices[0].delta.content or "")
        assert "stream me" in "".join(pieces)
