"""Usage: requests and tokens per day, per route and per model, as server-rendered SVG."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zerokeep.console.charts import CHART_HEIGHT, chart_width, day_columns, ranked_bars
from zerokeep.console.screen import open_screen
from zerokeep.usage import service as usage_service
from zerokeep.usage.cost import Prices, cost_lines

SPAN_DAYS = 30


# Calls refused before a model was chosen (bad key, invalid body, rate limit) have no model.
NO_MODEL = "refused before a model was chosen"


async def usage(request: Request) -> Response:
    async with open_screen(request) as screen:
        organization, role = await screen.organization()
        now = screen.state.clock.now()
        first_day = (now - timedelta(days=SPAN_DAYS - 1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        days = await usage_service.daily(screen.db, organization.id, first_day)
        lines = await usage_service.summary(screen.db, organization.id, since=first_day)
        per_route: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        per_model: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in lines:
            tokens = line.prompt_tokens + line.completion_tokens
            for bucket in (per_route[line.route], per_model[line.model or NO_MODEL]):
                bucket[0] += line.requests
                bucket[1] += tokens
        return screen.render(
            "usage.html",
            organization=organization,
            role=role,
            span_days=SPAN_DAYS,
            chart_height=CHART_HEIGHT,
            chart_width=chart_width(SPAN_DAYS),
            request_columns=day_columns(days, now.date(), SPAN_DAYS, lambda d: d.requests),
            token_columns=day_columns(days, now.date(), SPAN_DAYS, lambda d: d.tokens),
            total_requests=sum(day.requests for day in days),
            total_tokens=sum(day.tokens for day in days),
            route_requests=ranked_bars((k, v[0]) for k, v in per_route.items()),
            route_tokens=ranked_bars((k, v[1]) for k, v in per_route.items()),
            model_requests=ranked_bars((k, v[0]) for k, v in per_model.items()),
            model_tokens=ranked_bars((k, v[1]) for k, v in per_model.items()),
            cost_lines=await cost_lines(
                screen.db,
                Prices.from_models(screen.state.settings.models),
                organization.id,
                since=first_day,
            ),
        )


routes = [Route("/orgs/{organization_id}/usage", usage, methods=["GET"])]
