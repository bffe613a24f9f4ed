import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../historian';
import { HistorianRecommendationStore, HistorianWorkOrderStore } from './historianStores';
import type { WorkOrder } from './schemas';

const dirs: string[] = [];
const open = (dir: string): Historian => openHistorian({ dataDir: dir, autoFlush: false });

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workOrder(id: string, status: WorkOrder['status'], assetId = 'e1'): WorkOrder {
  return {
    id,
    assetId,
    recommendationId: 'r1',
    title: 'Borescope inspection',
    description: 'EGT margin shrinking',
    suggestedAction: 'Inspect the HPT',
    urgency: 'high',
    dueDate: 2_000,
    status,
    createdAt: 1_000,
    createdBy: 'operator',
    updatedAt: 1_000,
    correlationId: 'c1',
    history: [],
  } as WorkOrder;
}

describe('maintenance records in the historian file', () => {
  it('keeps work orders and their numbering across a restart', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-wo-'));
    dirs.push(dir);
    let historian = open(dir);
    let store = new HistorianWorkOrderStore(historian.journals);
    expect(store.nextNumber()).toBe(1);
    expect(store.nextNumber()).toBe(2);
    store.put(workOrder('WO-000001', 'open'));
    store.put(workOrder('WO-000002', 'done', 'e2'));
    store.put({ ...workOrder('WO-000001', 'in_progress'), updatedAt: 1_500 });
    historian.close();

    historian = open(dir);
    store = new HistorianWorkOrderStore(historian.journals);
    expect(store.get('WO-000001')?.status).toBe('in_progress');
    expect(store.list({ status: 'done' }).map((w) => w.id)).toEqual(['WO-000002']);
    expect(store.list({ assetId: 'e1' }).map((w) => w.id)).toEqual(['WO-000001']);
    expect(store.nextNumber()).toBe(3);
    expect(new HistorianRecommendationStore(historian.journals).list()).toEqual([]);
    historian.close();
  });
});
