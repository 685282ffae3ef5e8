"""The Batch API: jobs of many stateless calls, run line by line through the gateway pipeline.

    job = await batch_service.create(session, storage, caller, BatchJobCreate(...))
    # after commit the job layer runs `batch.start`, then `batch.run` per chunk, `batch.finish`

Each line is one call of `Gateway.run_line` under the stateful decision (model routing, rate
limits, usage, the upstream-ZDR requirement); results and errors go to Files API objects of
purpose `batch`. Guarantees on a crash: docs/stateful.md, "Batch jobs".
"""
