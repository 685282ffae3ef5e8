"""Every Files route through the official mistralai SDK against the live gateway (SQLite and
PostgreSQL), plus what the SDK cannot send: bad uploads, signed URLs, strict ZDR."""

from __future__ import annotations

import uuid

import httpx
import pytest
from mistralai.client import Mistral
from mistralai.client.errors import SDKError

from tests.governance import client_for, in_session
from tests.harness import LiveServer
from zerokeep.audit.actions import CLI
from zerokeep.auth.access import OPERATOR_KEY_ROLE
from zerokeep.organization import service as organization_service
from zerokeep.privacy import service as privacy_service
from zerokeep.privacy.schemas import PrivacyUpdate
from zerokeep.retention.policy import StatefulPolicy

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def jsonl(lines: int = 3, marker: str = "") -> bytes:
    return b"".join(
        b'{"custom_id": "%d", "body": {"messages": [{"role": "user", "content": "%s"}]}}\n'
        % (index, marker.encode())
        for index in range(lines)
    )


@pytest.fixture()
def org_key(live_server: LiveServer) -> str:
    return live_server.new_organization()[1]


@pytest.fixture()
def client(live_server: LiveServer, org_key: str) -> Mistral:
    return Mistral(api_key=org_key, server_url=live_server.base_url)


def upload(client: Mistral, content: bytes, name: str = "requests.jsonl", purpose: str = "batch"):  # type: ignore[no-untyped-def]
    return client.files.upload(file={"file_name": name, "content": content}, purpose=purpose)  # type: ignore[arg-type]


class TestUpload:
    def test_jsonl_for_batch(self, client: Mistral) -> None:
        created = upload(client, jsonl(3))
        assert uuid.UUID(created.id)
        assert created.object == "file"
        assert created.size_bytes == len(jsonl(3))
        assert created.filename == "requests.jsonl"
        assert created.purpose == "batch"
        assert created.sample_type == "batch_request"
        assert created.source == "upload"
        assert created.num_lines == 3
        assert created.mimetype == "application/jsonl"

    def test_pdf_for_ocr(self, client: Mistral) -> None:
        created = upload(client, PDF, name="scan.pdf", purpose="ocr")
        assert created.purpose == "ocr"
        assert created.mimetype == "application/pdf"
        assert created.num_lines is None

    def test_empty_file_is_400(self, live_server: LiveServer, org_key: str) -> None:
        response = client_for(live_server, org_key).post(
            "/v1/files", files={"file": ("a.jsonl", b"")}, data={"purpose": "batch"}
        )
        assert response.status_code == 400
        assert response.json()["message"] == "The file is empty."

    def test_unknown_purpose_is_400(self, live_server: LiveServer, org_key: str) -> None:
        response = client_for(live_server, org_key).post(
            "/v1/files", files={"file": ("a.jsonl", jsonl())}, data={"purpose": "secret-sauce"}
        )
        assert response.status_code == 400
        assert response.json()["param"] == "purpose"
        assert "secret-sauce" not in response.text  # never echoes what the client sent

    def test_wrong_content_for_purpose_is_400(self, live_server: LiveServer, org_key: str) -> None:
        client = client_for(live_server, org_key)
        not_jsonl = client.post(
            "/v1/files", files={"file": ("a.jsonl", b"plain words\n")}, data={"purpose": "batch"}
        )
        assert not_jsonl.status_code == 400
        assert ".jsonl" in not_jsonl.json()["message"]
        not_a_document = client.post(
            "/v1/files", files={"file": ("a.pdf", b"plain words")}, data={"purpose": "ocr"}
        )
        assert not_a_document.status_code == 400
        assert "PDF" in not_a_document.json()["message"]

    def test_rejected_upload_leaves_no_blob(self, live_server: LiveServer, org_key: str) -> None:
        blobs = live_server.settings.data_dir / "blobs"
        before = sorted(blobs.rglob("*")) if blobs.exists() else []
        response = client_for(live_server, org_key).post(
            "/v1/files", files={"file": ("a.jsonl", b"not json\n")}, data={"purpose": "batch"}
        )
        assert response.status_code == 400
        after = sorted(blobs.rglob("*")) if blobs.exists() else []
        assert [path for path in after if path.is_file()] == [
            path for path in before if path.is_file()
        ]

    def test_missing_file_part_is_400(self, live_server: LiveServer, org_key: str) -> None:
        response = client_for(live_server, org_key).post(
            "/v1/files", files={"other": ("a.jsonl", jsonl())}, data={"purpose": "batch"}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "missing_file"

    def test_not_multipart_is_400(self, live_server: LiveServer, org_key: str) -> None:
        response = client_for(live_server, org_key).post("/v1/files", json={"file": "x"})
        assert response.status_code == 400

    def test_stored_encrypted(self, live_server: LiveServer, client: Mistral) -> None:
        marker = f"plaintext-{uuid.uuid4().hex}"
        created = upload(client, jsonl(2, marker))
        blob_files = [
            path
            for path in (live_server.settings.data_dir / "blobs").rglob("*")
            if path.is_file() and created.id in path.name
        ]
        assert len(blob_files) == 1
        assert marker.encode() not in blob_files[0].read_bytes()


class TestListRetrieveDownload:
    def test_list_pages_and_filters(self, client: Mistral) -> None:
        batch_ids = {upload(client, jsonl(1), name=f"b{index}.jsonl").id for index in range(3)}
        ocr = upload(client, PDF, name="invoice-scan.pdf", purpose="ocr")
        listed = client.files.list(page_size=100)
        assert {item.id for item in listed.data} == batch_ids | {ocr.id}
        assert listed.total == 4
        first = client.files.list(page=0, page_size=2)
        second = client.files.list(page=1, page_size=2)
        assert len(first.data) == 2 and len(second.data) == 2
        assert {f.id for f in first.data}.isdisjoint({f.id for f in second.data})
        assert [f.id for f in client.files.list(purpose="ocr").data] == [ocr.id]
        assert [f.id for f in client.files.list(search="invoice").data] == [ocr.id]
        assert {f.id for f in client.files.list(sample_type=["batch_request"]).data} == batch_ids
        assert client.files.list(source=["mistral"]).data == []

    def test_retrieve(self, client: Mistral) -> None:
        created = upload(client, jsonl(2))
        found = client.files.retrieve(file_id=created.id)
        assert found.id == created.id
        assert found.deleted is False
        assert found.num_lines == 2

    def test_download_streams_the_bytes(self, client: Mistral) -> None:
        content = jsonl(2000, "x" * 200)  # several blob chunks
        created = upload(client, content)
        response = client.files.download(file_id=created.id)
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["zerokeep-retention"] == "stateful"
        assert response.read() == content

    def test_unknown_id_is_404(self, client: Mistral) -> None:
        with pytest.raises(SDKError) as raised:
            client.files.retrieve(file_id=str(uuid.uuid4()))
        assert raised.value.status_code == 404

    def test_no_key_is_401(self, live_server: LiveServer) -> None:
        client = client_for(live_server, None)
        for method, path in (("GET", "/v1/files"), ("POST", "/v1/files")):
            assert client.request(method, path).status_code == 401


class TestSignedUrl:
    def test_downloads_without_a_key_until_expiry(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        content = jsonl(4)
        created = upload(client, content)
        signed = client.files.get_signed_url(file_id=created.id, expiry=1)
        assert signed.url.startswith(live_server.base_url)
        response = httpx.get(signed.url)
        assert response.status_code == 200
        assert response.content == content
        tampered = signed.url.replace("signature=", "signature=0")
        assert httpx.get(tampered).status_code == 401
        live_server.clock.advance(hours=1, seconds=1)
        expired = httpx.get(signed.url)
        assert expired.status_code == 401
        assert "expired" in expired.json()["message"]

    def test_expiry_out_of_range_is_400(self, live_server: LiveServer, org_key: str) -> None:
        client = Mistral(api_key=org_key, server_url=live_server.base_url)
        created = upload(client, jsonl())
        response = client_for(live_server, org_key).get(
            f"/v1/files/{created.id}/url", params={"expiry": 169}
        )
        assert response.status_code == 400


class TestDelete:
    def test_delete_hides_at_once(self, client: Mistral) -> None:
        created = upload(client, jsonl())
        deleted = client.files.delete(file_id=created.id)
        assert deleted.id == created.id and deleted.deleted is True
        with pytest.raises(SDKError) as raised:
            client.files.retrieve(file_id=created.id)
        assert raised.value.status_code == 404
        with pytest.raises(SDKError):
            client.files.download(file_id=created.id)
        assert created.id not in {item.id for item in client.files.list().data}


class TestStrictZdr:
    def test_blocked_organization_gets_403_on_every_route(
        self, live_server: LiveServer, org_key: str
    ) -> None:
        client = Mistral(api_key=org_key, server_url=live_server.base_url)
        created = upload(client, jsonl())
        organization_id = (
            client_for(live_server, org_key)
            .get("/v1/organization/privacy")
            .json()["organization_id"]
        )

        async def block(session):  # type: ignore[no-untyped-def]
            organization = await organization_service.get(session, organization_id)
            await privacy_service.update(
                session,
                CLI,
                organization,
                OPERATOR_KEY_ROLE,
                PrivacyUpdate(stateful_policy=StatefulPolicy.BLOCK),
            )

        in_session(live_server, block)
        http = client_for(live_server, org_key)
        for method, path in (
            ("GET", "/v1/files"),
            ("POST", "/v1/files"),
            ("GET", f"/v1/files/{created.id}"),
            ("GET", f"/v1/files/{created.id}/content"),
            ("GET", f"/v1/files/{created.id}/url"),
            ("DELETE", f"/v1/files/{created.id}"),
        ):
            response = http.request(method, path)
            assert response.status_code == 403, (method, path)
            assert response.json()["code"] == "stateful_blocked"
            assert "outside Zero Data Retention" in response.json()["message"]
            assert response.headers["zerokeep-retention"] == "stateful"


class TestTenancy:
    def test_another_organizations_file_is_404_on_delete(
        self, live_server: LiveServer, client: Mistral
    ) -> None:
        created = upload(client, jsonl())
        _, stranger_key = live_server.new_organization()
        response = client_for(live_server, stranger_key).delete(f"/v1/files/{created.id}")
        assert response.status_code == 404
        assert client.files.retrieve(file_id=created.id).deleted is False
