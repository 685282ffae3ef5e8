"""The fixed email templates and the typed fields each one takes.

A template names exactly which fields it takes, so an email can carry ids, names, states and
staff-written reasons, and nothing else: the justification a customer submitted is never a field
(staff read it in the console), and no template has a free "body" slot.

    subject, body = render(Template.ZDR_REQUEST_DENIED, organization_name="Acme",
                           organization_id="org_1", request_id="zdr_1", reason="...")
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
        "until then its state is 'pending' in the organization's Privacy settings.\n",
        _ORG,
    ),
    Template.ZDR_REQUEST_FOR_REVIEW: _Spec(
        "ZDR request to review: {organization_name}",
        "The organization {organization_name} ({organization_id}, plan {plan}) submitted the\n"
        "Zero Data Retention request {request_id}.\n\n"
        "Read its justification and decide in the Admin Console (ZDR requests), or with\n"
        "`zerokeep zdr approve|deny {request_id} --reason ...`.\n",
        _ORG | {"plan"},
    ),
    Template.ZDR_REQUEST_APPROVED: _Spec(
        "ZDR approved for {organization_name}",
        "The Zero Data Retention request {request_id} for {organization_name}\n"
        "({organization_id}) was approved. ZDR is active now: inputs and outputs of stateless\n"
        "API calls are not retained. Responses carry the header 'zerokeep-retention: none'.\n\n"
        "Reviewer's note: {reason}\n",
        _ORG | {"reason"},
    ),
    Template.ZDR_REQUEST_DENIED: _Spec(
        "ZDR request denied for {organization_name}",
        "The Zero Data Retention request {request_id} for {organization_name}\n"
        "({organization_id}) was denied.\n\n"
        "Reason: {reason}\n\n"
        "You may submit a new request with more detail in the Privacy settings.\n",
        _ORG | {"reason"},
    ),
    Template.ZDR_REVOKED: _Spec(
        "ZDR revoked for {organization_name}",
        "Zero Data Retention for {organization_name} ({organization_id}) was revoked, and the\n"
        "request {request_id} closed, because the organization left the Scale plan.\n"
        "Stateless API calls are now retained for the organization's abuse-monitoring window.\n"
        "ZDR requires the Scale plan: upgrade the organization first, then request it again.\n",
        _ORG,
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
