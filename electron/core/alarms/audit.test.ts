import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import { openHistorian, type Historian } from '../historian';
import { MaintenanceService } from '../maintenance/service';
import { InMemoryRecommendationStore, InMemoryWorkOrderStore } from '../maintenance/stores';
import { attachAuditTrail } from './audit';
import { AlarmEngine } from './engine';
import { InMemoryAlarmJournal } from './journal';
import { MapTagCatalog, batchOf } from './testing';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
let historian: Historian | null = null;
let dir = '';
afterEach(() => {
  historian?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('audit trail', () => {
  it('records who acknowledged, shelved, approved and moved a work order in the historian audit log', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-audit-'));
    const clock = new ManualClock(T0);
    historian = openHistorian({ dataDir: dir, clock, autoFlush: false });
    const bus = new EventBus();
    attachAuditTrail(bus, historian.journals.audit);
    const engine = new AlarmEngine({
      clock,
      journal: new InMemoryAlarmJournal(),
      catalog: new MapTagCatalog({ t: 'a1' }),
      config: {
        definitions: [{ id: 'hi', kind: 'high', tagId: 't', limit: 1, priority: 'high', message: 'm' }],
      },
      events: bus,
    });
    engine.attach(bus);
    const maintenance = new MaintenanceService({
      clock,
      config: { rules: [{ id: 'rul', kind: 'rul_below', threshold: 50, suggestedAction: 'x' }] },
      recommendations: new InMemoryRecommendationStore(),
      workOrders: new InMemoryWorkOrderStore(),
      events: bus,
    });
    bus.emit('samples', batchOf([['t', 5]], clock.now(), 'b-1'));
    engine.acknowledge(['hi'], 'alice', 'seen');
    engine.shelve({ alarmId: 'hi', mode: 'one_shot', reason: 'known' }, 'alice');
    const rec = maintenance.observe({
      kind: 'rul',
      assetId: 'a1',
      value: 20,
      at: T0,
      tagId: 'a1/rul',
      modelId: 'm',
      modelVersion: '1',
      correlationId: 'b-2',
    })!;
    maintenance.approve(rec.id, 'eng.maria', { comment: 'go' });
    maintenance.updateWorkOrderStatus('WO-000001', 'done', 'tech.jon', 'replaced');

    const entries = historian.journals.audit.query({}).reverse();
    expect(entries.map((e) => `${e.user} ${e.action} ${e.target}`)).toEqual([
      'alice alarm.acknowledge hi',
      'alice alarm.shelve hi',
      `eng.maria recommendation.approved ${rec.id}`,
      'eng.maria workorder.create WO-000001',
      'tech.jon workorder.status WO-000001',
    ]);
    expect(entries[0]!.details).toMatchObject({ comment: 'seen', correlationId: 'b-1' });
    expect(entries[4]!.details).toMatchObject({
      from: 'open',
      to: 'done',
      comment: 'replaced',
      correlationId: 'b-2',
    });
  });
});
