"""Defect 10: /openapi.json lists the ten data-plane routes; /docs works offline."""

from __future__ import annotations

import re

import httpx

from tests.harness import LiveServer
from zerokeep.retention.catalogue import STATELESS_ENDPOINTS


class TestOpenAPI:
    def test_every_data_plane_route_has_an_operation_with_its_request_schema(
        self, gateway: LiveServer
    ) -> None:
        schema = httpx.get(gateway.base_url + "/openapi.json").json()
        for endpoint in STATELESS_ENDPOINTS:
            operation = schema["paths"][endpoint.path]["post"]
            content = operation["requestBody"]["content"]
            (media_type,) = content
            assert media_type in ("application/json", "multipart/form-data")
        chat = schema["paths"]["/v1/chat/completions"]["post"]["requestBody"]["content"]
        reference = chat["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert "messages" in schema["components"]["schemas"][reference]["properties"]


class TestDocs:
    def test_docs_page_loads_its_assets_from_this_server(self, gateway: LiveServer) -> None:
        page = httpx.get(gateway.base_url + "/docs")
        assert page.status_code == 200
        assert not re.search(r"""(src|href)=["']https?://""", page.text)
        for asset in re.findall(r"""(?:src|href)=["'](/docs/assets/[^"']+)["']""", page.text):
            assert httpx.get(gateway.base_url + asset).status_code == 200
        assert "/docs/assets/swagger-ui-bundle.js" in page.text
