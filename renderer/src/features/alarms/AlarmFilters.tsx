import { useMemo } from 'react';
import { ALARM_PRIORITIES, type AlarmView } from '../../../../shared/alarms';
import {
  FILTERABLE_STATES,
  NO_FILTERS,
  PRIORITY_LABEL,
  STATE_INFO,
  assetLabel,
  type AlarmFilters as Filters,
  type AssetFilter,
} from './alarmModel';
import { useAlarms, useAlarmsStore } from './context';

function toggled<T>(list: readonly T[], item: T): T[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}

function assetFilterValue(filter: AssetFilter): string {
  return filter.mode === 'asset' ? `asset:${filter.assetId}` : filter.mode;
}

function parseAssetFilter(value: string): AssetFilter {
  if (value.startsWith('asset:')) return { mode: 'asset', assetId: value.slice('asset:'.length) };
  return value === 'tree' ? { mode: 'tree' } : { mode: 'all' };
}

interface AlarmFiltersProps {
  alarms: Readonly<Record<string, AlarmView>>;
  names: ReadonlyMap<string, string>;
  treeSelection: string | null;
  shown: number;
  total: number;
}

/** Priority, state and asset filters (the asset tree's selection is one of the asset choices). */
export function AlarmFilters({ alarms, names, treeSelection, shown, total }: AlarmFiltersProps) {
  const store = useAlarmsStore();
  const filters = useAlarms((s) => s.filters);
  const set = (patch: Partial<Filters>) => store.getState().setFilters(patch);

  const assetsWithAlarms = useMemo(() => {
    const ids = new Set(Object.values(alarms).map((a) => a.assetId));
    if (filters.asset.mode === 'asset') ids.add(filters.asset.assetId);
    return [...ids].sort((a, b) => assetLabel(a, names).localeCompare(assetLabel(b, names)));
  }, [alarms, names, filters.asset]);

  const filtered = filters.priorities.length > 0 || filters.states.length > 0 || filters.asset.mode !== 'all';

  return (
    <div className="alarm-filters" role="group" aria-label="Alarm filters">
      <div className="filter-group" role="group" aria-label="Priority">
        <span className="filter-label" aria-hidden="true">
          Priority
        </span>
        {ALARM_PRIORITIES.map((p) => (
          <button
            key={p}
            type="button"
            className={`filter-chip prio-${p}`}
            aria-pressed={filters.priorities.includes(p)}
            onClick={() => set({ priorities: toggled(filters.priorities, p) })}
          >
            {PRIORITY_LABEL[p]}
          </button>
        ))}
      </div>
      <div className="filter-group" role="group" aria-label="State">
        <span className="filter-label" aria-hidden="true">
          State
        </span>
        {FILTERABLE_STATES.map((s) => (
          <button
            key={s}
            type="button"
            className="filter-chip"
            aria-pressed={filters.states.includes(s)}
            title={STATE_INFO[s].long}
            onClick={() => set({ states: toggled(filters.states, s) })}
          >
            {STATE_INFO[s].short}
          </button>
        ))}
      </div>
      <label className="filter-group">
        <span className="filter-label">Asset</span>
        <select
          value={assetFilterValue(filters.asset)}
          onChange={(e) => set({ asset: parseAssetFilter(e.target.value) })}
        >
          <option value="all">All assets</option>
          <option value="tree">
            Selected in the asset tree{treeSelection ? ` (${assetLabel(treeSelection, names)})` : ''}
          </option>
          {assetsWithAlarms.map((id) => (
            <option key={id} value={`asset:${id}`}>
              {assetLabel(id, names)}
            </option>
          ))}
        </select>
      </label>
      <span className="filter-count" aria-live="polite">
        {filtered ? `${shown} of ${total} shown` : `${total} in the queue`}
      </span>
      {filtered && (
        <button type="button" onClick={() => set(NO_FILTERS)}>
          Clear filters
        </button>
      )}
    </div>
  );
}
