import type { Recommendation, WorkOrder } from './schemas';

export type RecommendationChange =
  'proposed' | 'escalated' | 'approved' | 'rejected' | 'deferred' | 'resurfaced';

/* The decision queue's events on the core's bus (declaration merging keeps EventBus typed). */
declare module '../app/eventBus' {
  interface DomainEvents {
    'maintenance.recommendation': {
      correlationId: string;
      change: RecommendationChange;
      recommendation: Recommendation;
    };
    'maintenance.workOrder': {
      correlationId: string;
      change: 'created' | 'status_changed';
      workOrder: WorkOrder;
    };
  }
}
