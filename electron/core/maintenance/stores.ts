import type { Recommendation, RecommendationStatus, WorkOrder, WorkOrderStatus } from './schemas';

/*
 * Persistence ports of the decision queue. In memory for tests and for a core without a
 * historian; the SQLite-backed versions live next to the historian's tables.
 */

export interface RecommendationFilter {
  status?: RecommendationStatus;
  assetId?: string;
}

export interface RecommendationStore {
  /** Inserts or replaces by id. Throws if it cannot store (the caller then changes nothing). */
  put(recommendation: Recommendation): void;
  get(id: string): Recommendation | undefined;
  list(filter?: RecommendationFilter): Recommendation[];
}

export interface WorkOrderFilter {
  status?: WorkOrderStatus;
  assetId?: string;
}

export interface WorkOrderStore {
  put(workOrder: WorkOrder): void;
  get(id: string): WorkOrder | undefined;
  list(filter?: WorkOrderFilter): WorkOrder[];
  /** The next work-order number (1, 2, ...), never repeated. */
  nextNumber(): number;
}

/** Stored copies, so a caller mutating a returned object cannot change the store. */
const copy = <T>(v: T): T => structuredClone(v);

export class InMemoryRecommendationStore implements RecommendationStore {
  private readonly items = new Map<string, Recommendation>();
  put(r: Recommendation): void {
    this.items.set(r.id, copy(r));
  }
  get(id: string): Recommendation | undefined {
    const r = this.items.get(id);
    return r ? copy(r) : undefined;
  }
  list(filter: RecommendationFilter = {}): Recommendation[] {
    return [...this.items.values()]
      .filter(
        (r) =>
          (filter.status === undefined || r.status === filter.status) &&
          (filter.assetId === undefined || r.assetId === filter.assetId),
      )
      .map(copy);
  }
}

export class InMemoryWorkOrderStore implements WorkOrderStore {
  private readonly items = new Map<string, WorkOrder>();
  private counter = 0;
  put(w: WorkOrder): void {
    this.items.set(w.id, copy(w));
  }
  get(id: string): WorkOrder | undefined {
    const w = this.items.get(id);
    return w ? copy(w) : undefined;
  }
  list(filter: WorkOrderFilter = {}): WorkOrder[] {
    return [...this.items.values()]
      .filter(
        (w) =>
          (filter.status === undefined || w.status === filter.status) &&
          (filter.assetId === undefined || w.assetId === filter.assetId),
      )
      .map(copy);
  }
  nextNumber(): number {
    return ++this.counter;
  }
}
