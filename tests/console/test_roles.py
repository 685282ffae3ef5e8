"""Console role checks over real HTTP (httpx): every POST route refuses the wrong role, another
organization is a 404, CSRF is required, sessions are signed cookies, login locks out."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.console.world import ConsoleClient, Person, World, build_world, csrf_token
from tests.harness import LiveServer
from zerokeep.console.session import COOKIE_NAME


@pytest.fixture()
def world(live_server: LiveServer) -> World:
    return build_world(live_server)


@pytest.fixture()
def clients(live_server: LiveServer) -> Iterator[list[ConsoleClient]]:
    made: list[ConsoleClient] = []
    yield made
    for client in made:
        client.close()


@pytest.fixture()
def as_user(
    live_server: LiveServer, clients: list[ConsoleClient], world: World
) -> Callable[[str], ConsoleClient]:
    def login(name: str) -> ConsoleClient:
        client = ConsoleClient(live_server)
        clients.append(client)
        assert client.login(getattr(world, name)).status_code == 303
        return client

    return login


Login = Callable[[str], ConsoleClient]


def org_posts(world: World, organization_id: str, user_id: str) -> list[tuple[str, dict[str, str]]]:
    base = f"/orgs/{organization_id}"
    return [
        (f"{base}/privacy/training", {"training_opt_out": "on"}),
        (
            f"{base}/privacy/retention",
            {"abuse_window_days": "7", "stateful_policy": "block", "requires_upstream_zdr": "on"},
        ),
        (
            f"{base}/zdr",
            {
                "use_case": "x" * 60,
                "data_categories": "health records",
                "legal_basis": "HIPAA business associate agreement",
                "contact_email": "dpo@example.test",
            },
        ),
        (f"{base}/zdr/zdr_nonexistent/withdraw", {}),
        (f"{base}/members", {"email": "someone@example.test", "role": "member"}),
        (f"{base}/members/{user_id}/role", {"role": "admin"}),
        (f"{base}/members/{user_id}/remove", {}),
    ]


class TestAnonymous:
    def test_pages_redirect_to_login(self, live_server: LiveServer, world: World) -> None:
        with httpx.Client(base_url=live_server.base_url + "/console") as http:
            response = http.get(f"/orgs/{world.org_a}/privacy")
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"

    def test_post_without_session_is_refused(self, live_server: LiveServer, world: World) -> None:
        with httpx.Client(base_url=live_server.base_url + "/console") as http:
            response = http.post(f"/orgs/{world.org_a}/privacy/training", data={"csrf_token": "x"})
        assert response.status_code == 403

    def test_forged_cookie_is_no_session(self, live_server: LiveServer, world: World) -> None:
        client = ConsoleClient(live_server)
        client.login(world.owner)
        value = client.http.cookies[COOKIE_NAME]
        payload, signature = value.split(".")
        client.http.cookies.clear()
        # Change the signature's first character (all six of its bits count; the last one's
        # low bits are base64 padding, so rewriting the end can leave the signature intact).
        forged = ("B" if signature[0] == "A" else "A") + signature[1:]
        client.http.cookies.set(COOKIE_NAME, payload + "." + forged, path="/console")
        assert client.get(f"/orgs/{world.org_a}").status_code == 303
        client.close()


class TestSession:
    def test_cookie_flags(self, live_server: LiveServer, world: World) -> None:
        with httpx.Client(base_url=live_server.base_url + "/console") as http:
            page = http.get("/login")
            response = http.post(
                "/login",
                data={
                    "email": world.owner.email,
                    "password": world.owner.password,
                    "csrf_token": csrf_token(page.text),
                },
            )
        cookie = response.headers["set-cookie"].lower()
        assert response.status_code == 303
        assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=28800" in cookie
        assert "path=/console" in cookie
        assert "secure" not in cookie  # served over plain http here

    def test_cookie_is_secure_behind_https(self, live_server: LiveServer, world: World) -> None:
        # uvicorn trusts X-Forwarded-Proto from 127.0.0.1, as it would from a local proxy.
        with httpx.Client(
            base_url=live_server.base_url + "/console", headers={"x-forwarded-proto": "https"}
        ) as http:
            response = http.get("/login")
        assert "secure" in response.headers["set-cookie"].lower()

    def test_security_headers(self, as_user: Login, world: World) -> None:
        response = as_user("owner").get(f"/orgs/{world.org_a}/keys")
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    def test_csrf_missing_or_wrong_is_403(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        path = f"/orgs/{world.org_a}/privacy/training"
        assert owner.http.post(path, data={"training_opt_out": "on"}).status_code == 403
        wrong = {"training_opt_out": "on", "csrf_token": "not-the-token"}
        assert owner.http.post(path, data=wrong).status_code == 403
        assert owner.post(path, training_opt_out="on").status_code == 303

    def test_logout_ends_the_session(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        assert owner.post("/logout").status_code == 303
        assert owner.get(f"/orgs/{world.org_a}").status_code == 303


class TestLockout:
    def test_five_wrong_passwords_lock_for_fifteen_minutes(
        self, live_server: LiveServer, world: World
    ) -> None:
        client = ConsoleClient(live_server)
        for _ in range(4):
            assert client.login(world.member, "wrong password!!").status_code == 401
        locked = client.login(world.member, "wrong password!!")
        assert locked.status_code == 429 and "locked until" in locked.text
        assert client.login(world.member).status_code == 429  # even the right password
        live_server.clock.advance(minutes=15, seconds=1)
        assert client.login(world.member).status_code == 303
        client.close()

    def test_unknown_email_is_the_same_answer(self, live_server: LiveServer) -> None:
        client = ConsoleClient(live_server)
        response = client.login(Person("usr_x", "nobody@example.test"))
        assert (
            response.status_code == 401 and "The email or the password is wrong." in response.text
        )
        client.close()


class TestMemberRole:
    def test_member_is_refused_every_governance_post(self, as_user: Login, world: World) -> None:
        member = as_user("member")
        for path, data in org_posts(world, world.org_a, world.admin.id):
            assert member.post(path, **data).status_code == 403, path

    def test_member_sees_no_controls_and_no_audit(self, as_user: Login, world: World) -> None:
        member = as_user("member")
        page = member.get(f"/orgs/{world.org_a}/privacy").text
        assert "/privacy/training" not in page and "/privacy/retention" not in page
        assert member.get(f"/orgs/{world.org_a}/audit").status_code == 403

    def test_member_is_not_staff(self, as_user: Login, world: World) -> None:
        member = as_user("member")
        for path in ("/staff/review", "/staff/organizations", "/staff/audit"):
            assert member.get(path).status_code == 404
        assert (
            member.post(f"/staff/organizations/{world.org_a}/plan", plan="free").status_code == 404
        )
        assert member.post("/staff/review/zdr_x", decision="approve").status_code == 404


class TestTenancy:
    def test_another_organization_is_404_on_every_route(self, as_user: Login, world: World) -> None:
        admin = as_user("admin")
        for suffix in ("", "/privacy", "/zdr", "/keys", "/members", "/usage", "/audit"):
            assert admin.get(f"/orgs/{world.org_b}{suffix}").status_code == 404, suffix
        for path, data in org_posts(world, world.org_b, world.owner_b.id):
            assert admin.post(path, **data).status_code == 404, path
        assert admin.post(f"/orgs/{world.org_b}/keys", name="x").status_code == 404


class TestKeys:
    def test_member_manages_only_own_keys(self, as_user: Login, world: World) -> None:
        admin, member = as_user("admin"), as_user("member")
        created = admin.post(f"/orgs/{world.org_a}/keys", name="admin-key")
        assert created.status_code == 201 and "zk_" in created.text
        admin_key_id = created.text.split('data-key-id="')[1].split('"')[0]
        own = member.post(f"/orgs/{world.org_a}/keys", name="member-key")
        assert own.status_code == 201
        assert "admin-key" not in own.text  # a member lists their own keys only
        revoke = f"/orgs/{world.org_a}/keys/{admin_key_id}/revoke"
        assert member.post(revoke).status_code == 404
        asked = admin.post(revoke)  # a destructive action is confirmed first
        assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.text
        assert "Revoke this API key?" in asked.text
        assert admin.post(revoke, confirmed="yes").status_code == 303

    def test_key_with_limits(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        created = owner.post(
            f"/orgs/{world.org_a}/keys",
            name="limited",
            allowed_models="m-one, m-two",
            requests_per_minute="30",
            monthly_token_budget="90000",
        )
        assert created.status_code == 201
        assert "models: m-one, m-two; 30 req/min; 90000 tokens/month" in created.text
        bad = owner.post(f"/orgs/{world.org_a}/keys", name="bad", tokens_per_minute="lots")
        assert bad.status_code == 400 and "tokens_per_minute must be a whole number" in bad.text

    def test_key_is_shown_once(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        created = owner.post(f"/orgs/{world.org_a}/keys", name="once")
        plaintext = created.text.split('data-testid="new-key-value">')[1].split("<")[0]
        assert plaintext.startswith("zk_")
        assert plaintext not in owner.get(f"/orgs/{world.org_a}/keys").text


class TestMembers:
    def test_admin_cannot_grant_owner_but_owner_can(self, as_user: Login, world: World) -> None:
        admin, owner = as_user("admin"), as_user("owner")
        path = f"/orgs/{world.org_a}/members/{world.member.id}/role"
        assert admin.post(path, role="owner").status_code == 403
        assert owner.post(path, role="owner").status_code == 303

    def test_last_owner_stays(self, as_user: Login, world: World) -> None:
        owner = as_user("owner")
        response = owner.post(
            f"/orgs/{world.org_a}/members/{world.owner.id}/remove", confirmed="yes"
        )
        assert response.status_code == 409 and "at least one owner" in response.text

    def test_add_existing_create_new_and_errors(self, as_user: Login, world: World) -> None:
        admin = as_user("admin")
        path = f"/orgs/{world.org_a}/members"
        assert admin.post(path, email=world.owner_b.email, role="member").status_code == 303
        unknown = admin.post(path, email="new-person@example.test", role="member")
        assert unknown.status_code == 400 and "give a password" in unknown.text
        created = admin.post(
            path, email="new-person@example.test", role="member", password="a long password!"
        )
        assert created.status_code == 303
        remove = f"/orgs/{world.org_a}/members/{world.owner_b.id}/remove"
        assert "Remove this member?" in admin.post(remove).text
        assert admin.post(remove, confirmed="yes").status_code == 303


class TestStaff:
    def test_staff_changes_plan(self, as_user: Login, world: World) -> None:
        staff = as_user("staff")
        path = f"/staff/organizations/{world.org_b}/plan"
        asked = staff.post(path, plan="free")
        assert asked.status_code == 200 and "revokes its Zero Data Retention" not in asked.text
        assert f"Change the plan of {world.org_b_name}?" in asked.text
        assert staff.post(path, plan="free", confirmed="yes").status_code == 303
        assert "Audit chain intact" in staff.get("/staff/audit").text

    def test_deny_needs_a_reason(self, as_user: Login, world: World) -> None:
        owner, staff = as_user("owner"), as_user("staff")
        submitted = owner.post(
            f"/orgs/{world.org_a}/zdr",
            use_case="Clinical notes summarisation for hospital staff, no retention allowed.",
            data_categories="health records\npatient identifiers",
            legal_basis="HIPAA BAA with our hospital customers",
            contact_email="dpo@example.test",
        )
        assert submitted.status_code == 303
        queue = staff.get("/staff/review").text
        request_id = queue.split(f'data-organization="{world.org_a_name}"')[1]
        request_id = request_id.split("/staff/review/")[1].split('"')[0]
        refused = staff.post(f"/staff/review/{request_id}", decision="deny", reason="")
        assert refused.status_code == 400 and "needs a reason" in refused.text
        assert owner.post(f"/staff/review/{request_id}", decision="approve").status_code == 404
