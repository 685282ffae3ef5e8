"""Test doubles that speak real HTTP: FakeUpstream plays the Mistral API and an OpenAI server."""

from .upstream import FakeUpstream

__all__ = ["FakeUpstream"]
