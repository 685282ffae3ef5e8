"""Deletion lifecycle for every stateful object (DESIGN.md invariant 5).

Delete hides at once and sets `purge_after = deleted_at + the organization's grace period`;
restore is possible until then; purge deletes rows and blobs, destroys the object's data key
and leaves a signed receipt without content; a legal hold blocks purge until lifted.

    deletion = await lifecycle_service.delete(session, actor, org, kinds.FILE, file_id, clock)
    await lifecycle_service.restore(session, actor, org.id, deletion.id, clock)
    outcome = await purge.purge_one(session, purger, deletion.id)   # from the purge job
"""
