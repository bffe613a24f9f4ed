import { afterEach, describe, expect, it } from 'vitest';
import { createAlarmCore, type AlarmCore } from '../../../test/helpers/alarmCoreClient';
import {
  decisionQueue,
  openRecommendationCount,
  sortedWorkOrders,
} from '../features/decisions/decisionModel';
import { createDecisionsStore, type DecisionsStore } from './decisionsStore';

const E1 = 'plant/engine-1';
const E2 = 'plant/engine-2';
const DAY = 86_400_000;

let core: AlarmCore | null = null;
let stop: (() => void) | null = null;

afterEach(() => {
  stop?.();
  core?.dispose();
  expect(core?.errors ?? []).toEqual([]);
  core = null;
  stop = null;
});

/** The store on the real maintenance service: a RUL below 50 cycles proposes maintenance. */
async function setup(): Promise<{ core: AlarmCore; store: DecisionsStore }> {
  core = createAlarmCore({
    catalog: { 'e1/rul': E1, 'e2/rul': E2 },
    maintenance: {
      rules: [{ id: 'rul-low', kind: 'rul_below', threshold: 50, suggestedAction: 'Plan an overhaul' }],
    },
  });
  const store = createDecisionsStore(core.client);
  stop = store.getState().start();
  await core.settle();
  return { core, store };
}

const open = (store: DecisionsStore) => decisionQueue(store.getState().recommendations).open;

describe('decision store on the real maintenance service', () => {
  it('lists what the stream proposes, with its evidence, most urgent first', async () => {
    const { core, store } = await setup();
    expect(store.getState().status).toBe('ready');
    expect(open(store)).toEqual([]);

    core.feed([['e1/rul', 40]], 'batch-e1');
    core.feed([['e2/rul', 10]], 'batch-e2');
    await core.settle();
    const recs = open(store);
    expect(recs.map((r) => [r.assetId, r.urgency])).toEqual([
      [E2, 'immediate'],
      [E1, 'medium'],
    ]);
    expect(recs[0]!.evidence).toMatchObject({
      tags: ['e2/rul'],
      models: [{ id: 'rul-cnn', version: '3' }],
      correlationIds: ['batch-e2'],
    });
    expect(openRecommendationCount(store.getState().recommendations)).toBe(2);
  });

  it('approves into a work order that moves open -> in progress -> done, and refuses to reopen it', async () => {
    const { core, store } = await setup();
    core.feed([['e1/rul', 20]]);
    await core.settle();
    const rec = open(store)[0]!;
    store.getState().openForm(rec.id, 'approve');
    expect(await store.getState().approve(rec.id, { comment: 'next shift' })).toBe(true);
    expect(store.getState().form).toBeNull();
    expect(open(store)).toEqual([]);
    const [order] = sortedWorkOrders(store.getState().workOrders);
    expect(order).toMatchObject({ recommendationId: rec.id, assetId: E1, status: 'open' });

    expect(await store.getState().setWorkOrderStatus(order!.id, 'in_progress')).toBe(true);
    expect(await store.getState().setWorkOrderStatus(order!.id, 'done', 'bearing replaced')).toBe(true);
    expect(store.getState().workOrders[order!.id]!.status).toBe('done');
    expect(await store.getState().setWorkOrderStatus(order!.id, 'open')).toBe(false);
    expect(store.getState().errors[order!.id]).toMatch(/is done; it cannot become open/);
    expect(store.getState().workOrders[order!.id]!.status).toBe('done');
  });

  it('refuses a rejection without a reason before sending it, then keeps the reason and label', async () => {
    const { core, store } = await setup();
    core.feed([['e1/rul', 20]]);
    await core.settle();
    const rec = open(store)[0]!;
    const sent = core.calls.length;
    expect(await store.getState().reject(rec.id, { reason: ' ', label: 'false_alarm' })).toBe(false);
    expect(store.getState().errors[rec.id]).toBe('A reason is required');
    expect(core.calls.slice(sent)).toEqual([]);

    expect(await store.getState().reject(rec.id, { reason: 'sensor drift', label: 'false_alarm' })).toBe(
      true,
    );
    expect(store.getState().errors[rec.id]).toBeUndefined();
    const decided = decisionQueue(store.getState().recommendations).decided[0]!;
    expect(decided).toMatchObject({
      status: 'rejected',
      decision: { reason: 'sensor drift', label: 'false_alarm' },
    });
  });

  it('defers until a future time; the core refuses a time in the past', async () => {
    const { core, store } = await setup();
    core.feed([['e1/rul', 20]]);
    await core.settle();
    const rec = open(store)[0]!;
    const now = core.clock.now();
    expect(await store.getState().defer(rec.id, { until: NaN })).toBe(false);
    expect(store.getState().errors[rec.id]).toMatch(/Choose the date/);
    expect(await store.getState().defer(rec.id, { until: now - 1000 })).toBe(false);
    expect(store.getState().errors[rec.id]).toMatch(/in the future/);
    expect(await store.getState().defer(rec.id, { until: now + 2 * DAY, comment: 'after the audit' })).toBe(
      true,
    );
    const queue = decisionQueue(store.getState().recommendations);
    expect(queue.open).toEqual([]);
    expect(queue.deferred.map((r) => r.decision?.deferredUntil)).toEqual([now + 2 * DAY]);

    // At its time it comes back as proposed, through the stream.
    await core.settle(2 * DAY + 100);
    expect(open(store).map((r) => r.id)).toEqual([rec.id]);
  });

  it('exports the work orders as CSV and JSON with what the core wrote', async () => {
    const { core, store } = await setup();
    core.feed([['e1/rul', 20]]);
    await core.settle();
    await store.getState().approve(open(store)[0]!.id, {});
    const id = Object.keys(store.getState().workOrders)[0]!;

    const csv = await store.getState().exportWorkOrders('csv');
    expect(csv?.filename).toMatch(/\.csv$/);
    expect(csv?.contentType).toMatch(/^text\/csv/);
    expect(csv?.content.split('\r\n')[1]).toMatch(new RegExp(`^${id},${E1},open,`));
    const json = await store.getState().exportWorkOrders('json');
    expect(JSON.stringify(JSON.parse(json!.content))).toContain(id);
    expect(store.getState().exporting).toEqual({ format: null, error: null });

    core.setLink('reconnecting');
    expect(await store.getState().exportWorkOrders('csv')).toBeNull();
    expect(store.getState().exporting.error).toMatch(/Cannot reach the Vigil core/);
  });

  it('catches up on what it missed while the link was down', async () => {
    const { core, store } = await setup();
    core.setLink('reconnecting');
    expect(store.getState().streamError).toBe('link down (test)');
    core.feed([['e1/rul', 20]]); // proposed while the link is down: the stream message is lost
    await core.settle();
    expect(open(store)).toEqual([]);

    core.setLink('open');
    await core.settle();
    expect(store.getState().streamError).toBeNull();
    expect(open(store).map((r) => r.assetId)).toEqual([E1]);
  });
});
