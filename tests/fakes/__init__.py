"""Test doubles that speak real HTTP: FakeUpstream plays the Mistral API and an OpenAI server.

It ships in the package (the retention audit's self-contained mode uses it too); the tests
reach it through here.
"""

from zerokeep.retention_audit.fake_upstream import FakeUpstream

__all__ = ["FakeUpstream"]
