import { describe, expect, it } from 'vitest';
import { CoreError } from '../app/api';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import { parse } from 'csv-parse/sync';
import { csvField } from './export';
import type { MaintenanceConfigInput, ModelSignal, Recommendation } from './schemas';
import { MaintenanceService } from './service';
import { InMemoryRecommendationStore, InMemoryWorkOrderStore } from './stores';

const T0 = Date.UTC(2025, 3, 1, 6, 0, 0);
const H = 3_600_000;
const DAY = 24 * H;

function setup(config: MaintenanceConfigInput = {}) {
  const clock = new ManualClock(T0);
  const bus = new EventBus((_e, err) => {
    throw err;
  });
  const recommendations = new InMemoryRecommendationStore();
  const workOrders = new InMemoryWorkOrderStore();
  const service = new MaintenanceService({
    clock,
    config,
    recommendations,
    workOrders,
    events: bus,
    relatedAlarms: (assetId) =>
      assetId === 'engine-3' ? [{ alarmId: 'engine-3.rul.low', correlationId: 'b-rul' }] : [],
  });
  const changes: string[] = [];
  bus.on('maintenance.recommendation', (e) => changes.push(`${e.change}:${e.recommendation.assetId}`));
  bus.on('maintenance.workOrder', (e) => changes.push(`wo-${e.change}:${e.workOrder.id}`));
  let n = 0;
  const signal = (
    kind: ModelSignal['kind'],
    assetId: string,
    value: number,
    over: Partial<ModelSignal> = {},
  ): ModelSignal => ({
    kind,
    assetId,
    value,
    at: clock.now(),
    tagId: `${assetId}/${kind}`,
    modelId: kind === 'rul' ? 'cmapss-rul-gbm' : kind === 'failure_risk' ? 'ai4i-risk' : 'skab-iforest',
    modelVersion: '1.2.0',
    correlationId: `b-${++n}`,
    ...over,
  });
  return { clock, bus, service, recommendations, workOrders, changes, signal };
}

function expectCoreError(fn: () => unknown, code: string, message: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    expect({ code: (err as CoreError).code, message: (err as CoreError).message }).toMatchObject({
      code,
      message: expect.stringMatching(message),
    });
    return;
  }
  throw new Error('expected a CoreError');
}

describe('recommendation to approval to work order', () => {
  it('proposes once when RUL falls below the threshold, grows the evidence, and approval opens a work order', () => {
    const { service, clock, signal, changes } = setup({
      rules: [
        {
          id: 'rul',
          kind: 'rul_below',
          threshold: 50,
          cyclesPerDay: 5,
          marginCycles: 10,
          suggestedAction: 'Replace the HPC seal',
        },
      ],
    });
    expect(service.observe(signal('rul', 'engine-3', 60))).toBeNull();
    const rec = service.observe(signal('rul', 'engine-3', 45, { correlationId: 'b-first' }))!;
    expect(rec).toMatchObject({
      assetId: 'engine-3',
      kind: 'rul_below',
      status: 'proposed',
      urgency: 'medium',
      finding: 'Predicted remaining useful life 45 cycles, below 50',
      suggestedAction: 'Replace the HPC seal',
      correlationId: 'b-first',
      // 45 - 10 reserve = 35 cycles at 5 a day: due in 7 days.
      dueDate: T0 + 7 * DAY,
    });
    expect(rec.evidence).toMatchObject({
      tags: ['engine-3/rul'],
      models: [{ id: 'cmapss-rul-gbm', version: '1.2.0' }],
      correlationIds: ['b-first'],
      relatedAlarms: [{ alarmId: 'engine-3.rul.low', correlationId: 'b-rul' }],
    });

    clock.advance(H);
    service.observe(signal('rul', 'engine-3', 44, { modelVersion: '1.3.0' })); // same urgency: no new proposal
    const escalated = service.observe(signal('rul', 'engine-3', 12))!; // urgent now
    expect(service.list()).toHaveLength(1);
    expect(escalated).toMatchObject({ id: rec.id, urgency: 'immediate' });
    expect(escalated.evidence.models.map((m) => m.version)).toEqual(['1.2.0', '1.3.0']);
    expect(escalated.dueDate).toBe(T0 + H + (2 / 5) * DAY);

    clock.advance(H);
    const { recommendation, workOrder } = service.approve(rec.id, 'eng.maria', {
      comment: 'Borescope first',
    });
    expect(recommendation).toMatchObject({
      status: 'approved',
      workOrderId: 'WO-000001',
      decision: { by: 'eng.maria', comment: 'Borescope first' },
    });
    expect(workOrder).toMatchObject({
      id: 'WO-000001',
      assetId: 'engine-3',
      recommendationId: rec.id,
      status: 'open',
      createdBy: 'eng.maria',
      dueDate: escalated.dueDate,
      urgency: 'immediate',
      correlationId: 'b-first',
    });
    expect(workOrder.description).toContain('models cmapss-rul-gbm@1.2.0, cmapss-rul-gbm@1.3.0');

    // While the order is open the rule proposes nothing new for the asset.
    expect(service.observe(signal('rul', 'engine-3', 5))).toBeNull();
    service.updateWorkOrderStatus('WO-000001', 'in_progress', 'tech.jon');
    service.updateWorkOrderStatus('WO-000001', 'done', 'tech.jon', 'Seal replaced');
    expect(service.getWorkOrder('WO-000001').history.map((h) => `${h.from}->${h.to}:${h.user}`)).toEqual([
      'null->open:eng.maria',
      'open->in_progress:tech.jon',
      'in_progress->done:tech.jon',
    ]);
    // Done: a new fault on the asset is a new recommendation.
    expect(service.observe(signal('rul', 'engine-3', 30))!.id).not.toBe(rec.id);
    expect(changes).toEqual([
      'proposed:engine-3',
      'escalated:engine-3',
      'approved:engine-3',
      'wo-created:WO-000001',
      'wo-status_changed:WO-000001',
      'wo-status_changed:WO-000001',
      'proposed:engine-3',
    ]);
  });

  it('rejects with a reason kept as a label, and does not propose the same again during the cool-off', () => {
    const { service, clock, signal } = setup({
      rules: [
        { id: 'risk', kind: 'failure_risk_rising', threshold: 0.5, suggestedAction: 'Inspect the tool' },
      ],
      rejectCooldownMs: 7 * DAY,
    });
    const rec = service.observe(signal('failure_risk', 'mill-2', 0.55))!;
    expect(rec.urgency).toBe('high');
    expectCoreError(
      () => service.reject(rec.id, 'eng', { reason: '   ' }),
      'invalid_input',
      /needs a reason/,
    );
    expect(service.get(rec.id).status).toBe('proposed');
    service.reject(rec.id, 'eng.li', { reason: 'Tool was changed this morning', label: 'already_known' });
    expect(service.rejectionLabels()).toEqual([
      expect.objectContaining({
        recommendationId: rec.id,
        label: 'already_known',
        reason: 'Tool was changed this morning',
        by: 'eng.li',
        models: [{ id: 'ai4i-risk', version: '1.2.0' }],
      }),
    ]);
    clock.advance(DAY);
    expect(service.observe(signal('failure_risk', 'mill-2', 0.6))).toBeNull(); // same urgency, cooling off
    const worse = service.observe(signal('failure_risk', 'mill-2', 0.85))!; // more urgent: proposed again
    expect(worse).toMatchObject({ status: 'proposed', urgency: 'immediate' });
    expectCoreError(() => service.approve(rec.id, 'eng'), 'invalid_input', /already rejected/);
  });

  it('defers and brings the recommendation back when the time is up', () => {
    const { service, clock, signal, changes } = setup({
      rules: [{ id: 'rul', kind: 'rul_below', threshold: 50, suggestedAction: 'x' }],
    });
    const rec = service.observe(signal('rul', 'engine-1', 40))!;
    expectCoreError(() => service.defer(rec.id, 'eng', { until: T0 - 1 }), 'invalid_input', /future/);
    service.defer(rec.id, 'eng', { until: T0 + 3 * DAY, comment: 'Next planned stop' });
    expect(service.get(rec.id)).toMatchObject({
      status: 'deferred',
      decision: { deferredUntil: T0 + 3 * DAY },
    });
    // Evidence still accumulates on the deferred recommendation: no duplicate.
    service.observe(signal('rul', 'engine-1', 38));
    expect(service.list()).toHaveLength(1);
    clock.advance(3 * DAY);
    expect(service.get(rec.id)).toMatchObject({ status: 'proposed' });
    expect(changes).toEqual(['proposed:engine-1', 'deferred:engine-1', 'resurfaced:engine-1']);
  });

  it('a persistent anomaly needs the window covered and most samples anomalous', () => {
    const { service, clock, signal } = setup({
      rules: [
        {
          id: 'anom',
          kind: 'persistent_anomaly',
          threshold: 3,
          windowMs: H,
          minFraction: 0.8,
          minSamples: 10,
          suggestedAction: 'Check the bearing',
        },
      ],
    });
    let rec: Recommendation | null = null;
    // One score per 5 minutes; 1 in 6 below the threshold (83 % anomalous).
    for (let i = 0; i <= 12 && !rec; i++) {
      rec = service.observe(signal('anomaly_score', 'pump-7', i % 6 === 5 ? 1 : 4.2));
      if (i < 11) expect(rec).toBeNull(); // the first 55 minutes do not cover the window yet
      clock.advance(5 * 60_000);
    }
    expect(rec).toMatchObject({ kind: 'persistent_anomaly', urgency: 'medium', assetId: 'pump-7' });
    expect(rec!.finding).toMatch(/^Anomaly score at or above 3 in 83 % of 12 samples over 55 min/);
  });

  it('guards decisions and work-order transitions', () => {
    const { service, signal } = setup({
      rules: [{ id: 'rul', kind: 'rul_below', threshold: 50, suggestedAction: 'x' }],
    });
    expectCoreError(() => service.approve('rec-nope', 'eng'), 'not_found', /No recommendation/);
    const rec = service.observe(signal('rul', 'engine-1', 40))!;
    expectCoreError(
      () => service.approve(rec.id, 'eng', { dueDate: T0 - DAY }),
      'invalid_input',
      /in the past/,
    );
    expect(service.get(rec.id).status).toBe('proposed');
    const { workOrder } = service.approve(rec.id, 'eng');
    expectCoreError(
      () => service.updateWorkOrderStatus(workOrder.id, 'open', 'eng'),
      'invalid_input',
      /already open/,
    );
    service.updateWorkOrderStatus(workOrder.id, 'done', 'eng');
    expectCoreError(
      () => service.updateWorkOrderStatus(workOrder.id, 'in_progress', 'eng'),
      'invalid_input',
      /is done/,
    );
    expectCoreError(() => service.getWorkOrder('WO-999999'), 'not_found', /WO-999999/);
  });
});

describe('work order export', () => {
  it('exports CSV (RFC 4180, formula-safe) and JSON', () => {
    const { service, signal } = setup({
      rules: [
        {
          id: 'rul',
          kind: 'rul_below',
          threshold: 50,
          suggestedAction: '=HYPERLINK("http://x") replace, "now"',
        },
      ],
    });
    for (const asset of ['engine-1', 'engine-2']) {
      const rec = service.observe(signal('rul', asset, 20))!;
      service.approve(rec.id, 'eng', { comment: 'line one\nline two' });
    }
    const csv = service.exportWorkOrders('csv');
    expect(csv).toMatchObject({
      contentType: 'text/csv; charset=utf-8',
      filename: 'vigil-work-orders-2025-04-01-06-00-00.csv',
    });
    expect(csv.content.split('\r\n')[0]).toBe(
      'id,asset_id,status,urgency,due_date,title,suggested_action,description,recommendation_id,created_by,created_at,updated_at,correlation_id',
    );
    // A standard CSV reader gets every field back intact.
    const rows = parse(csv.content, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: 'WO-000001',
      asset_id: 'engine-1',
      status: 'open',
      urgency: 'high',
      due_date: '2025-04-08T06:00:00.000Z',
      title: 'engine-1: Predicted remaining useful life 20 cycles, below 50',
      // Prefixed so a spreadsheet shows the text instead of running a formula.
      suggested_action: `'=HYPERLINK("http://x") replace, "now"`,
      created_by: 'eng',
      correlation_id: 'b-1',
    });
    expect(rows[0]!.description).toMatch(
      /^Predicted remaining useful life 20 cycles, below 50\nline one\nline two\nEvidence: rul=20/,
    );
    const json = JSON.parse(service.exportWorkOrders('json').content) as { workOrders: { id: string }[] };
    expect(json.workOrders.map((w) => w.id)).toEqual(['WO-000001', 'WO-000002']);
    expect(
      service.exportWorkOrders('csv', { assetId: 'engine-2' }).content.trim().split('\r\n'),
    ).toHaveLength(2);
  });

  it('quotes only what needs quoting', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('-2 bar')).toBe("'-2 bar");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(42)).toBe('42');
  });
});
