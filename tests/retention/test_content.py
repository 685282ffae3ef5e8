"""retention.content: Content refuses every accidental way out; expose() is the only door."""

from __future__ import annotations

import copy
import json
import logging
import pickle
from typing import Any

import orjson
import pytest

from zerokeep.retention.content import Content, ContentLeakError

CANARY = "canary-content-5d1e8b"


@pytest.fixture()
def content() -> Content[dict[str, Any]]:
    return Content({"messages": [{"role": "user", "content": CANARY}]}, size=64)


class TestExpose:
    def test_expose_returns_the_value(self, content: Content[dict[str, Any]]) -> None:
        assert content.expose()["messages"][0]["content"] == CANARY

    def test_size(self, content: Content[dict[str, Any]]) -> None:
        assert content.size == 64
        assert Content("x").size == 0


class TestRendering:
    def test_repr(self, content: Content[dict[str, Any]]) -> None:
        assert repr(content) == "<Content 64 bytes, redacted>"

    def test_str(self, content: Content[dict[str, Any]]) -> None:
        assert str(content) == "<Content 64 bytes, redacted>"

    def test_format_and_f_strings(self, content: Content[dict[str, Any]]) -> None:
        for rendered in (
            format(content),
            format(content, "s"),
            format(content, ">200"),
            f"{content}",
            f"{content!r}",
            f"{content!s}",
            f"{content=}",
            f"{content} {content!r}",
        ):
            assert CANARY not in rendered
            assert "redacted" in rendered

    def test_percent_format(self, content: Content[dict[str, Any]]) -> None:
        for rendered in ("%s" % content, "%r" % content, "%s %r" % (content, content)):  # noqa: UP031
            assert CANARY not in rendered
            assert "redacted" in rendered

    def test_inside_containers(self, content: Content[dict[str, Any]]) -> None:
        assert CANARY not in repr([content, {"body": content}])
        assert CANARY not in str((content,))

    def test_a_plain_string_content(self) -> None:
        assert CANARY not in repr(Content(CANARY, size=len(CANARY)))
        assert CANARY not in f"{Content(CANARY)}"


class TestSerialization:
    def test_pickle_refuses(self, content: Content[dict[str, Any]]) -> None:
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            with pytest.raises(ContentLeakError):
                pickle.dumps(content, protocol=protocol)

    def test_pickle_of_a_container_refuses(self, content: Content[dict[str, Any]]) -> None:
        with pytest.raises(ContentLeakError):
            pickle.dumps({"body": content})

    def test_copy_refuses(self, content: Content[dict[str, Any]]) -> None:
        with pytest.raises(ContentLeakError):
            copy.copy(content)
        with pytest.raises(ContentLeakError):
            copy.deepcopy(content)

    def test_getstate_refuses(self, content: Content[dict[str, Any]]) -> None:
        with pytest.raises(ContentLeakError):
            content.__getstate__()

    def test_json_dumps_refuses(self, content: Content[dict[str, Any]]) -> None:
        with pytest.raises(TypeError) as raised:
            json.dumps({"body": content})
        assert CANARY not in str(raised.value)

    def test_json_dumps_with_default_str_is_redacted(
        self, content: Content[dict[str, Any]]
    ) -> None:
        assert CANARY not in json.dumps({"body": content}, default=str)

    def test_orjson_dumps_refuses(self, content: Content[dict[str, Any]]) -> None:
        with pytest.raises(TypeError) as raised:
            orjson.dumps({"body": content})
        assert CANARY not in str(raised.value)

    def test_orjson_dumps_with_default_str_is_redacted(
        self, content: Content[dict[str, Any]]
    ) -> None:
        assert CANARY.encode() not in orjson.dumps({"body": content}, default=str)

    def test_iteration_refuses(self, content: Content[dict[str, Any]]) -> None:
        with pytest.raises(ContentLeakError):
            iter(content)
        with pytest.raises(ContentLeakError):
            list(content)

    def test_no_instance_dict(self, content: Content[dict[str, Any]]) -> None:
        assert not hasattr(content, "__dict__")
        with pytest.raises(TypeError):
            vars(content)

    def test_is_a_type_error(self) -> None:
        assert issubclass(ContentLeakError, TypeError)


class TestLogging:
    def test_logging_args_and_extra_are_redacted(
        self, content: Content[dict[str, Any]], caplog: pytest.LogCaptureFixture
    ) -> None:
        logger = logging.getLogger("tests.retention.content")
        with caplog.at_level(logging.DEBUG, logger="tests.retention.content"):
            logger.info("body %s", content)
            logger.info("body %r", content)
            logger.info(content)
            logger.warning("dict %s", {"body": content})
        assert len(caplog.records) == 4
        assert CANARY not in caplog.text
        assert all(CANARY not in record.getMessage() for record in caplog.records)

    def test_logging_an_exception_carrying_content(
        self, content: Content[dict[str, Any]], caplog: pytest.LogCaptureFixture
    ) -> None:
        logger = logging.getLogger("tests.retention.content")
        with caplog.at_level(logging.DEBUG, logger="tests.retention.content"):
            try:
                raise ValueError(content)
            except ValueError:
                logger.exception("failed")
        assert "redacted" in caplog.text
        assert CANARY not in caplog.text
