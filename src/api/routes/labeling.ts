import { Router } from 'express';
import { LeaseConflictError, UnknownItemsError, type GraphStore, type StoredItem } from '../../store/graph-store.js';
import type { ApiContext } from '../api-context.js';
import { requireApiKey } from '../api-key.js';
import { parseRequest } from '../errors.js';
import { LabelUndoBodySchema, LeaseReleaseBodySchema, LeaseRenewBodySchema } from '../schemas.js';

/**
 * What a labeling page needs besides query and labels: the label set and lease length, its annotator's
 * leases renewed while an item is open and released on skip (never another annotator's: 409), and undo of
 * the annotator's last label.
 */
export function labelingRoutes({ store, config, selectionQueue }: ApiContext): Router {
  const router = Router();

  router.get('/v1/labeling/config', (_req, res) => {
    res.json({ labels: config.labels, leaseSeconds: config.leaseSeconds });
  });

  router.post('/v1/leases/renew', requireApiKey(config.apiKey), async (req, res) => {
    const body = parseRequest(LeaseRenewBodySchema, req.body, 'body');
    const ids = [...new Set(body.ids)];
    // In the selection queue: a query of this process cannot lease these items between the check and the renewal.
    const result = await selectionQueue.run(async () => {
      await refuseOthersLeases(store, ids, body.annotator);
      const leases = await store.leaseItems({ ids, holder: body.annotator, durationMs: 1000 * (body.leaseSeconds ?? config.leaseSeconds) });
      const held = new Set(leases.map((l) => l.itemId));
      return { leases, lost: ids.filter((id) => !held.has(id)) };
    });
    res.json(result);
  });

  router.post('/v1/leases/release', requireApiKey(config.apiKey), async (req, res) => {
    const body = parseRequest(LeaseReleaseBodySchema, req.body, 'body');
    const ids = [...new Set(body.ids)];
    const released = await selectionQueue.run(async () => {
      await refuseOthersLeases(store, ids, body.annotator);
      return store.releaseLeases(ids, body.annotator);
    });
    res.json({ released });
  });

  router.post('/v1/labels/undo', requireApiKey(config.apiKey), async (req, res) => {
    const body = parseRequest(LabelUndoBodySchema, req.body, 'body');
    const result = await selectionQueue.run(async () => {
      const report = await store.undoLabel(body.id, body.annotator);
      // Left unlabeled, the item goes back to its annotator (to label again), not to the next query.
      const [lease] = report.restored ? [] : await store.leaseItems({ ids: [body.id], holder: body.annotator, durationMs: 1000 * config.leaseSeconds });
      return lease ? { ...report, lease } : report;
    });
    res.json(result);
  });

  return router;
}

/** 404 for unknown ids, 409 when any of the items is leased to someone else (nothing changed either way). */
async function refuseOthersLeases(store: GraphStore, ids: readonly string[], annotator: string): Promise<StoredItem[]> {
  const items = await store.getItems(ids);
  if (items.length < ids.length) {
    const found = new Set(items.map((i) => i.id));
    throw new UnknownItemsError(ids.filter((id) => !found.has(id)));
  }
  const conflicts = items.flatMap((i) => (i.lease && i.lease.holder !== annotator ? [{ id: i.id, holder: i.lease.holder }] : []));
  if (conflicts.length > 0) throw new LeaseConflictError(conflicts);
  return items;
}
