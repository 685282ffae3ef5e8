"""ZDR requests over JSON: auth, roles, tenancy, staff review, and the next gateway call."""

from __future__ import annotations

import httpx
import pytest

from tests.governance import (
    body_of,
    client_for,
    good_form,
    new_staff_key,
    new_user_key,
    outbox_to,
    unique_email,
)
from tests.harness import LiveServer
from zerokeep.email.tasks import deliver_pending
from zerokeep.retention.policy import Plan
from zerokeep.user.roles import Role

REQUESTS = "/v1/organization/zdr-requests"
STAFF = "/v1/staff/zdr-requests"
PRIVACY = "/v1/organization/privacy"
EMBED = {"model": "test-model", "input": "hello"}


def error_of(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    body: dict[str, object] = response.json()
    assert body["object"] == "error"
    return body


@pytest.fixture(scope="module")
def staff_key(live_server: LiveServer) -> str:
    return new_staff_key(live_server)[1]


class TestAuthentication:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", REQUESTS),
            ("POST", REQUESTS),
            ("GET", f"{REQUESTS}/zdr_x"),
            ("POST", f"{REQUESTS}/zdr_x/withdraw"),
            ("GET", STAFF),
            ("POST", f"{STAFF}/zdr_x/approve"),
            ("POST", f"{STAFF}/zdr_x/deny"),
            ("PATCH", PRIVACY),
        ],
    )
    def test_no_key_is_401(self, live_server: LiveServer, method: str, path: str) -> None:
        response = client_for(live_server, None).request(method, path, json={})
        assert error_of(response, 401)["type"] == "authentication_error"


class TestOrganizationRoutes:
    def test_submit_list_get_withdraw(self, live_server: LiveServer) -> None:
        org_id, key = live_server.new_organization(plan=Plan.SCALE)
        client = client_for(live_server, key)
        created = client.post(REQUESTS, json=good_form())
        assert created.status_code == 201, created.text
        request = created.json()
        assert request["object"] == "zdr_request"
        assert request["status"] == "pending"
        assert request["organization_id"] == org_id
        assert client.get(PRIVACY).json()["zdr"] == "pending"
        listed = client.get(REQUESTS).json()
        assert listed["object"] == "list"
        assert [item["id"] for item in listed["data"]] == [request["id"]]
        assert client.get(f"{REQUESTS}/{request['id']}").json()["id"] == request["id"]
        withdrawn = client.post(f"{REQUESTS}/{request['id']}/withdraw")
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
        privacy = client.get(PRIVACY).json()
        assert privacy["zdr"] == "off"
        assert privacy["zdr_request"]["id"] == request["id"]
        assert privacy["zdr_request"]["status"] == "withdrawn"
        error = error_of(client.post(f"{REQUESTS}/{request['id']}/withdraw"), 409)
        assert error["code"] == "conflict"

    def test_another_organizations_request_is_404(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        _, other_key = live_server.new_organization(plan=Plan.SCALE)
        request = client_for(live_server, key).post(REQUESTS, json=good_form()).json()
        other = client_for(live_server, other_key)
        assert error_of(other.get(f"{REQUESTS}/{request['id']}"), 404)["code"] == "not_found"
        assert error_of(other.post(f"{REQUESTS}/{request['id']}/withdraw"), 404)
        assert other.get(REQUESTS).json()["data"] == []

    def test_a_member_key_is_403_and_an_owner_key_may(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        _, _, member_key = new_user_key(live_server, org_id, Role.MEMBER)
        error = error_of(client_for(live_server, member_key).post(REQUESTS, json=good_form()), 403)
        assert error["type"] == "permission_error"
        assert "owner or admin" in str(error["message"])
        user_id, _, owner_key = new_user_key(live_server, org_id, Role.OWNER)
        created = client_for(live_server, owner_key).post(REQUESTS, json=good_form())
        assert created.status_code == 201
        assert created.json()["requested_by_user_id"] == user_id

    def test_a_user_key_without_membership_is_a_member(self, live_server: LiveServer) -> None:
        org_id, _ = live_server.new_organization(plan=Plan.SCALE)
        _, _, key = new_user_key(live_server, org_id, None)
        error_of(client_for(live_server, key).post(REQUESTS, json=good_form()), 403)

    def test_free_plan_is_told_to_upgrade(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.FREE)
        error = error_of(client_for(live_server, key).post(REQUESTS, json=good_form()), 400)
        assert error["message"] == "ZDR requires the Scale plan: upgrade the organization first."
        assert error["code"] == "zdr_requires_scale"

    def test_double_submit_is_409(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        client = client_for(live_server, key)
        assert client.post(REQUESTS, json=good_form()).status_code == 201
        assert error_of(client.post(REQUESTS, json=good_form()), 409)["code"] == "conflict"

    def test_insufficient_detail_names_the_gaps_without_echo(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        body = {"use_case": "SECRET-USE-CASE", "data_categories": [], "legal_basis": "SECRET"}
        error = error_of(client_for(live_server, key).post(REQUESTS, json=body), 422)
        assert error["code"] == "insufficient_justification"
        assert error["param"] == "use_case"
        message = str(error["message"])
        for part in ("use case", "data categories", "legal or contractual basis", "contact email"):
            assert part in message
        assert "SECRET" not in message

    def test_unknown_fields_are_refused_without_echo(self, live_server: LiveServer) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        response = client_for(live_server, key).post(
            REQUESTS, json=good_form(SECRET_FIELD="SECRET-VALUE")
        )
        error_of(response, 422)
        assert "SECRET" not in response.text


class TestStaffRoutes:
    def test_non_staff_keys_are_403(self, live_server: LiveServer) -> None:
        org_id, operator_key = live_server.new_organization(plan=Plan.SCALE)
        _, _, owner_key = new_user_key(live_server, org_id, Role.OWNER)
        for key in (operator_key, owner_key):
            client = client_for(live_server, key)
            assert error_of(client.get(STAFF), 403)["type"] == "permission_error"
            error_of(client.post(f"{STAFF}/zdr_x/approve", json={"reason": "ok"}), 403)
            error_of(client.post(f"{STAFF}/zdr_x/deny", json={"reason": "no"}), 403)

    def test_approval_applies_to_the_next_gateway_call(
        self, live_server: LiveServer, staff_key: str
    ) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE, name="Approved Co")
        client = client_for(live_server, key)
        before = client.post("/v1/embeddings", json=EMBED)
        assert before.headers["zerokeep-retention"] == "archive; days=30"
        request = client.post(REQUESTS, json=good_form()).json()
        staff = client_for(live_server, staff_key)
        queue = staff.get(STAFF).json()["data"]
        (entry,) = [item for item in queue if item["id"] == request["id"]]
        assert entry["organization_name"] == "Approved Co"
        assert entry["use_case"] == request["use_case"]
        approved = staff.post(f"{STAFF}/{request['id']}/approve", json={"reason": "DPA on file"})
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        # No wait: the very next call of that organization runs under ZDR.
        after = client.post("/v1/embeddings", json=EMBED)
        assert after.status_code == 200
        assert after.headers["zerokeep-retention"] == "none"
        privacy = client.get(PRIVACY).json()
        assert privacy["zdr"] == "active"
        assert privacy["zdr_request"]["status"] == "approved"
        assert request["id"] not in [item["id"] for item in staff.get(STAFF).json()["data"]]

    def test_denial_needs_a_reason_and_emails_it(
        self, live_server: LiveServer, staff_key: str
    ) -> None:
        _, key = live_server.new_organization(plan=Plan.SCALE)
        client = client_for(live_server, key)
        contact = unique_email()
        request = client.post(REQUESTS, json=good_form(contact_email=contact)).json()
        staff = client_for(live_server, staff_key)
        error = error_of(staff.post(f"{STAFF}/{request['id']}/deny", json={"reason": " "}), 400)
        assert error["param"] == "reason"
        reason = "Tell us which DPA clause covers the hospitals."
        denied = staff.post(f"{STAFF}/{request['id']}/deny", json={"reason": reason})
        assert denied.status_code == 200 and denied.json()["status"] == "denied"
        assert client.get(PRIVACY).json()["zdr"] == "off"
        live_server.run(deliver_pending(live_server.state))
        subjects = {message["Subject"]: message for message in outbox_to(live_server, contact)}
        denial = next(m for s, m in subjects.items() if s.startswith("ZDR request denied"))
        assert f"Reason: {reason}" in body_of(denial)
        assert request["id"] in body_of(denial)
        assert good_form()["use_case"] not in body_of(denial)

    def test_unknown_request_is_404(self, live_server: LiveServer, staff_key: str) -> None:
        staff = client_for(live_server, staff_key)
        error_of(staff.post(f"{STAFF}/zdr_nope/approve", json={"reason": ""}), 404)
        error_of(staff.post(f"{STAFF}/zdr_nope/deny", json={"reason": "x"}), 404)
