import { useDecisions } from './context';
import { openRecommendationCount } from './decisionModel';

/** Recommendations waiting for a decision, on the Decisions tab. */
export function DecisionsBadge() {
  const count = useDecisions((s) => openRecommendationCount(s.recommendations));
  if (!count) return null;
  return (
    <span className="tab-badge" title={`${count} open recommendations`} data-testid="decisions-badge">
      {count}
      <span className="visually-hidden"> open</span>
    </span>
  );
}
