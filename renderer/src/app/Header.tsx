import type { ConnectionStatus } from '../../../shared/domain';
import { selectCoreLink } from '../store/selectors';
import { useAppState, useServices } from './AppContext';

const stateLabel: Record<ConnectionStatus['state'], string> = {
  connected: 'connected',
  connecting: 'connecting',
  reconnecting: 'reconnecting',
  disconnected: 'disconnected',
  failed: 'failed',
};

export function Header() {
  const { client } = useServices();
  const link = useAppState(selectCoreLink);
  const connections = useAppState((s) => s.health.value?.connections);
  const version = useAppState((s) => s.health.value?.version);

  return (
    <header className="header">
      <div className="brand">
        <span className="brand-name">Vigil</span>
        <span className="brand-tagline">Predictive maintenance console</span>
      </div>
      <div className="status" data-testid="core-status">
        <span className={`status-dot level-${link.level}`} aria-hidden="true" />
        <span className="status-text" title={link.detail ?? undefined}>
          {link.text}
        </span>
        {version && <span className="status-meta">core {version}</span>}
        <span className="status-meta">{client.kind === 'electron' ? 'desktop' : 'web'}</span>
      </div>
      <ul
        className={`connections${link.level === 'down' ? ' stale' : ''}`}
        aria-label={link.level === 'down' ? 'Data connections (last known)' : 'Data connections'}
      >
        {(connections ?? []).map((c) => (
          <li
            key={c.id}
            className={`connection conn-${c.state}`}
            title={[c.endpointUrl, c.lastError].filter(Boolean).join(' — ')}
            data-testid="connection"
          >
            <span className="connection-id">{c.id}</span>
            <span className="connection-state">{stateLabel[c.state]}</span>
          </li>
        ))}
      </ul>
      {link.level === 'down' && (
        <div className="banner" role="alert">
          <strong>{link.text}</strong>
          {link.detail && <span className="banner-detail">{link.detail}</span>}
        </div>
      )}
    </header>
  );
}
