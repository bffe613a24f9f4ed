import { useMemo } from 'react';
import { PRIORITY_LABEL, alarmBadge } from './alarmModel';
import { useAlarms } from './context';
import './alarms.css';

/** Unacknowledged alarms on the Alarms tab, in the colour of the most urgent one (and in words). */
export function AlarmsBadge() {
  const alarms = useAlarms((s) => s.alarms);
  const badge = useMemo(() => alarmBadge(alarms), [alarms]);
  if (!badge.unacknowledged || !badge.priority) return null;
  const priority = PRIORITY_LABEL[badge.priority];
  return (
    <span
      className={`tab-badge prio-${badge.priority}`}
      title={`${badge.unacknowledged} unacknowledged, highest priority ${priority.toLowerCase()}`}
      data-testid="alarms-badge"
      data-priority={badge.priority}
    >
      {badge.unacknowledged}
      <span className="visually-hidden"> unacknowledged, highest priority {priority}</span>
    </span>
  );
}
