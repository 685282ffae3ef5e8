"""`GET /v1/trust` (JSON), `/trust` (HTML) and `/trust/retention-audit.json` (the signed
report): public, no key needed: a customer reads them before signing anything."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from zerokeep.console.rendering import render
from zerokeep.dependencies import StateDep
from zerokeep.errors import NotFound
from zerokeep.kit.signing import public_key_of
from zerokeep.trust.statement import TrustStatement, build, read_latest_report

router = APIRouter()


def _statement(state: StateDep) -> TrustStatement:
    return build(state.settings, public_key_of(state.keys.report_signing_seed))


@router.get("/v1/trust", response_model=TrustStatement)
async def trust_json(state: StateDep) -> TrustStatement:
    return _statement(state)


@router.get("/trust", response_class=HTMLResponse, include_in_schema=False)
async def trust_page(state: StateDep) -> HTMLResponse:
    return render("trust.html", {"statement": _statement(state), "base": "/console"})


@router.get("/trust/retention-audit.json", include_in_schema=False)
async def latest_report(state: StateDep) -> Response:
    document = read_latest_report(state.settings)
    if document is None:
        raise NotFound("This deployment has not published a retention audit report yet.")
    return JSONResponse(document)
