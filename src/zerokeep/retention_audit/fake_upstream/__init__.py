"""The retention audit's fake upstream: a real HTTP server answering as Mistral and as OpenAI,
echoing prompts, with failure behaviours chosen by model name (see `server`).

It ships in the package (not only in tests/) so that the installed `zerokeep audit retention`
can drive every failure path (upstream errors that echo the prompt, timeouts, disconnects).

    with FakeUpstream() as fake:
        print(fake.base_url)
"""

from zerokeep.retention_audit.fake_upstream.server import FakeUpstream

__all__ = ["FakeUpstream"]
