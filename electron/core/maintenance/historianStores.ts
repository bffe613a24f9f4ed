import type { DocumentCollection, Journals } from '../historian';
import type { Recommendation, WorkOrder } from './schemas';
import type { RecommendationFilter, RecommendationStore, WorkOrderFilter, WorkOrderStore } from './stores';

/** Recommendations kept in the historian file, so the decision queue survives a restart. */
export class HistorianRecommendationStore implements RecommendationStore {
  private readonly docs: DocumentCollection<Recommendation>;

  constructor(journals: Journals) {
    this.docs = journals.documents<Recommendation>('recommendation');
  }

  put(r: Recommendation): void {
    this.docs.put(r.id, r, { assetId: r.assetId, status: r.status, at: r.updatedAt });
  }

  get(id: string): Recommendation | undefined {
    return this.docs.get(id);
  }

  list(filter: RecommendationFilter = {}): Recommendation[] {
    return this.docs.list({
      ...(filter.assetId ? { assetId: filter.assetId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    });
  }
}

/** Work orders kept in the historian file; their numbers come from a committed counter. */
export class HistorianWorkOrderStore implements WorkOrderStore {
  private readonly docs: DocumentCollection<WorkOrder>;

  constructor(journals: Journals) {
    this.docs = journals.documents<WorkOrder>('work_order');
  }

  put(w: WorkOrder): void {
    this.docs.put(w.id, w, { assetId: w.assetId, status: w.status, at: w.updatedAt });
  }

  get(id: string): WorkOrder | undefined {
    return this.docs.get(id);
  }

  list(filter: WorkOrderFilter = {}): WorkOrder[] {
    return this.docs.list({
      ...(filter.assetId ? { assetId: filter.assetId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    });
  }

  nextNumber(): number {
    return this.docs.nextNumber('work_order');
  }
}
