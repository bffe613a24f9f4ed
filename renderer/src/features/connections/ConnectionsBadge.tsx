import { useMemo } from 'react';
import { useAppState } from '../../app/AppContext';
import { problemCount } from './connectionModel';
import { useConnections } from './context';
import './connections.css';

const NO_CONNECTIONS: never[] = [];

/**
 * Problems on the Connections tab: connections that are not connected (from the health report the
 * console polls anyway) plus server certificates waiting for review.
 */
export function ConnectionsBadge() {
  const connections = useAppState((s) => s.health.value?.connections ?? NO_CONNECTIONS);
  const certificates = useConnections((s) => s.certificates.data?.servers ?? NO_CONNECTIONS);
  const count = useMemo(() => problemCount(connections, certificates), [connections, certificates]);
  if (!count.total) return null;
  const parts = [
    count.connections
      ? `${count.connections} connection${count.connections === 1 ? '' : 's'} not connected`
      : '',
    count.certificates
      ? `${count.certificates} certificate${count.certificates === 1 ? '' : 's'} waiting for review`
      : '',
  ].filter(Boolean);
  return (
    <span
      className="tab-badge conn-badge"
      title={parts.join(', ')}
      data-testid="connections-badge"
      data-connections={count.connections}
      data-certificates={count.certificates}
    >
      {count.total}
      <span className="visually-hidden"> problems: {parts.join(', ')}</span>
    </span>
  );
}
