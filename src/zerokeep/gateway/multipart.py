"""Parse multipart/form-data entirely in memory.

Starlette's form parser spools file parts over 1 MiB to temporary files on disk; audio sent by
a ZDR organization must never touch a temp directory (invariant 2), so uploads are parsed here,
in memory, from a body whose size the middleware has already bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from zerokeep.errors import InvalidRequest


@dataclass(slots=True, repr=False)
class FormPart:
    name: str
    filename: str | None
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"<FormPart {self.name} {len(self.data)} bytes, redacted>"


@dataclass(slots=True)
class _PartBuilder:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    data: bytearray = field(default_factory=bytearray)


class MalformedForm(InvalidRequest):
    code = "malformed_multipart"
    default_message = "The body is not valid multipart/form-data."


def parse_form(content_type: str | None, body: bytes) -> list[FormPart]:
    """Split a multipart body into parts; raises MalformedForm on anything unexpected."""
    media_type, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise MalformedForm("This route takes multipart/form-data with a boundary.")
    parts: list[FormPart] = []
    current = _PartBuilder()

    def on_part_begin() -> None:
        nonlocal current
        current = _PartBuilder()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        current.header_field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        current.header_value += data[start:end]

    def on_header_end() -> None:
        current.headers[bytes(current.header_field).lower()] = bytes(current.header_value)
        current.header_field.clear()
        current.header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        current.data += data[start:end]

    def on_part_end() -> None:
        parts.append(_finish(current))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except Exception:  # noqa: BLE001 - parser errors quote the input; keep only the fact
        raise MalformedForm() from None
    return parts


def _finish(builder: _PartBuilder) -> FormPart:
    disposition, options = parse_options_header(builder.headers.get(b"content-disposition", b""))
    if disposition != b"form-data" or b"name" not in options:
        raise MalformedForm("Every multipart part needs a form-data name.")
    filename = options.get(b"filename")
    return FormPart(
        name=options[b"name"].decode("utf-8", "replace"),
        filename=filename.decode("utf-8", "replace") if filename is not None else None,
        content_type=builder.headers.get(b"content-type", b"application/octet-stream").decode(
            "latin-1"
        ),
        data=bytes(builder.data),
    )
