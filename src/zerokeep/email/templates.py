"""The fixed email templates and the typed fields each one takes.

A template names exactly which fields it takes, so an email can carry ids, names, states and
staff-written reasons, and nothing else: the justification a customer submitted is never a field
(staff read it in the console), and no template has a free "body" slot.

    subject, body = render(Template.ZDR_REQUEST_DENIED, organization_name="Acme",
                           organization_id="org_1", request_id="zdr_1", reason="...")

Links to console pages are written as `console_link("/orgs/org_1/privacy")` and become
`<public_url>/console/orgs/org_1/privacy` when the email is delivered (`resolve_links`), so
the outbox does not depend on where the deployment is reachable at the time of the decision.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

FieldValue = str | int


class Template(enum.StrEnum):
    ZDR_REQUEST_RECEIVED = "zdr_request.received"
    ZDR_REQUEST_FOR_REVIEW = "zdr_request.for_review"
    ZDR_REQUEST_APPROVED = "zdr_request.approved"
    ZDR_REQUEST_DENIED = "zdr_request.denied"
    ZDR_REVOKED = "zdr_request.revoked"
    PASSWORD_RESET = "user.password_reset"  # noqa: S105 - a template name


CONSOLE_LINK = "zerokeep-console:"


def console_link(path: str) -> str:
    """A link to a console page, made absolute at delivery with the public_url setting."""
    return CONSOLE_LINK + path


def resolve_links(body: str, public_url: str) -> str:
    return body.replace(CONSOLE_LINK, public_url.rstrip("/") + "/console")


@dataclass(frozen=True, slots=True)
class _Spec:
    subject: str
    body: str
    fields: frozenset[str]


_ORG = frozenset({"organization_name", "organization_id", "request_id"})

_SPECS: dict[Template, _Spec] = {
    Template.ZDR_REQUEST_RECEIVED: _Spec(
        "ZDR request received for {organization_name}",
        "We received the Zero Data Retention request {request_id} for the organization\n"
        "{organization_name} ({organization_id}).\n\n"
        "Platform staff will review it. You will get an email when it is approved or denied;\n"
        "until then its state is 'pending' in the organization's Privacy settings:\n"
        "{link}\n",
        _ORG | {"link"},
    ),
    Template.ZDR_REQUEST_FOR_REVIEW: _Spec(
        "ZDR request to review: {organization_name}",
        "The organization {organization_name} ({organization_id}, plan {plan})\n"
        "submitted the Zero Data Retention request {request_id}.\n\n"
        "Read its justification and decide in the Admin Console, under Staff > Review queue:\n"
        "{link}\n\n"
        "or from the command line: `zerokeep zdr show {request_id}`, then\n"
        "`zerokeep zdr approve|deny {request_id} --reason ...`.\n",
        _ORG | {"plan", "link"},
    ),
    Template.ZDR_REQUEST_APPROVED: _Spec(
        "ZDR approved for {organization_name}",
        "The Zero Data Retention request {request_id} for the organization\n"
        "{organization_name} ({organization_id}) was approved.\n\n"
        "ZDR is active now: inputs and outputs of stateless API calls are not retained.\n"
        "Responses carry the header 'zerokeep-retention: none'.\n\n"
        "Reviewer's note: {reason}\n\n"
        "Privacy settings: {link}\n",
        _ORG | {"reason", "link"},
    ),
    Template.ZDR_REQUEST_DENIED: _Spec(
        "ZDR request denied for {organization_name}",
        "The Zero Data Retention request {request_id} for the organization\n"
        "{organization_name} ({organization_id}) was denied.\n\n"
        "Reason: {reason}\n\n"
        "You may submit a new request with more detail on the ZDR request page:\n"
        "{link}\n",
        _ORG | {"reason", "link"},
    ),
    Template.ZDR_REVOKED: _Spec(
        "ZDR revoked for {organization_name}",
        "Zero Data Retention for the organization {organization_name} ({organization_id})\n"
        "was revoked, and the request {request_id} closed,\n"
        "because the organization left the Scale plan.\n"
        "Stateless API calls are now retained for the organization's abuse-monitoring window.\n"
        "ZDR requires the Scale plan: upgrade the organization first, then request it again.\n\n"
        "Privacy settings: {link}\n",
        _ORG | {"link"},
    ),
    Template.PASSWORD_RESET: _Spec(
        "Reset your zerokeep console password",
        "Someone (you, we hope) asked to reset the password of this zerokeep console account.\n"
        "Choose a new password here; the link works once, for {minutes} minutes:\n\n"
        "{reset_link}\n\n"
        "If you did not ask for it, ignore this email: your password stays as it is.\n",
        frozenset({"reset_link", "minutes"}),
    ),
}

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f]+")


class TemplateFieldsError(TypeError):
    """A template was given missing or unknown fields (a programming error)."""


def render(template: Template, **fields: FieldValue) -> tuple[str, str]:
    """Return (subject, body). Every field the template declares must be given, and no other."""
    spec = _SPECS[template]
    given = set(fields)
    if given != spec.fields:
        raise TemplateFieldsError(
            f"template {template.value}: missing {sorted(spec.fields - given)}, "
            f"unknown {sorted(given - spec.fields)}"
        )
    values = {name: str(value) for name, value in fields.items()}
    # A header must stay on one line (no header injection through an organization name).
    subject_values = {name: _LINE_BREAKS.sub(" ", value) for name, value in values.items()}
    subject = spec.subject.format(**subject_values)[:300]
    return subject, spec.body.format(**values)
