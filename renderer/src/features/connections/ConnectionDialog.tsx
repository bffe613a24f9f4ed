import { useCallback, useRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { SECURITY_MODES, SECURITY_POLICIES } from '../../../../shared/acquisitionApi';
import type { ConnectionFormState } from '../../store/connectionsStore';
import { certificateValidity, day, groupThumbprint } from './certificateModel';
import {
  IDENTITY_LABEL,
  chosenEndpoint,
  endpointSupport,
  identityOptions,
  sharedCertificate,
  type ConnectionDraft,
  type EndpointInfo,
  type FormField,
  type SecurityMode,
  type SecurityPolicy,
} from './connectionForm';
import { useConnectionsStore } from './context';
import { useDialog } from './useDialog';

const ENDPOINT_TRUST: Record<string, string> = {
  trusted: 'trusted',
  pending: 'waiting for your review under Certificates',
  rejected: 'rejected (trust it under Certificates to connect)',
  unknown: 'not reviewed yet: after saving it waits under Certificates for you to trust it',
};

const UNKNOWN_NOTE =
  'Not reported by the core for an existing connection: this is the default, and saving applies it.';

/**
 * Add or edit a connection: endpoint URL, Discover to list what the server offers, then name,
 * identity and options. Enter in the URL field discovers, Enter anywhere else saves, Escape
 * closes. Everything typed stays in the form when the core refuses it.
 */
export function ConnectionDialog({ form, now }: { form: ConnectionFormState; now: number }) {
  const store = useConnectionsStore();
  const ref = useRef<HTMLFormElement>(null);
  const close = useCallback(() => store.getState().closeForm(), [store]);
  const onDialogKey = useDialog(ref, close, '#conn-endpoint');
  const { draft, errors, discovery, busy } = form;
  const set = (patch: Partial<ConnectionDraft>) => store.getState().setDraft(patch);
  const endpoint = chosenEndpoint(draft, discovery.endpoints);
  const identities = identityOptions(endpoint);
  const editing = form.mode === 'edit';
  const offered = discovery.status !== 'ready' || endpoint !== null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void store.getState().save();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    onDialogKey(event);
    if (event.defaultPrevented || event.key !== 'Enter') return;
    const target = event.target as HTMLElement;
    if (target.id === 'conn-endpoint') {
      event.preventDefault();
      void store.getState().discover();
    } else if (target.tagName !== 'BUTTON' && target.tagName !== 'TEXTAREA') {
      // Checkboxes and radios do not submit a form on Enter by themselves.
      event.preventDefault();
      void store.getState().save();
    }
  };

  const error = (field: FormField) =>
    errors[field] ? (
      <span className="field-error" role="alert" id={`err-${field}`} data-testid={`field-error-${field}`}>
        {errors[field]}
      </span>
    ) : null;
  const unknown = (field: FormField) =>
    form.unknown.includes(field) ? <span className="field-note">{UNKNOWN_NOTE}</span> : null;
  const describedBy = (field: FormField) => (errors[field] ? `err-${field}` : undefined);

  return (
    <div className="conn-overlay">
      <form
        ref={ref}
        className="conn-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="conn-dialog-title"
        onSubmit={submit}
        onKeyDown={onKeyDown}
        noValidate
        data-testid="connection-dialog"
      >
        <h3 id="conn-dialog-title">
          {editing ? `Edit connection “${draft.name}”` : 'Add an OPC UA connection'}
        </h3>

        <div className="field">
          <label htmlFor="conn-endpoint">Endpoint URL</label>
          <div className="field-row">
            <input
              id="conn-endpoint"
              type="text"
              className="mono"
              value={draft.endpointUrl}
              onChange={(e) => set({ endpointUrl: e.target.value })}
              spellCheck={false}
              autoComplete="off"
              placeholder="opc.tcp://host:4840"
              aria-invalid={!!errors.endpointUrl}
              aria-describedby={describedBy('endpointUrl')}
              data-testid="endpoint-url"
            />
            <button
              type="button"
              onClick={() => void store.getState().discover()}
              disabled={discovery.status === 'loading'}
              data-testid="discover-button"
            >
              {discovery.status === 'loading' ? 'Discovering…' : 'Discover'}
            </button>
          </div>
          {error('endpointUrl')}
          <span className="field-note">Enter in this field asks the server for its endpoints.</span>
        </div>

        {discovery.status === 'error' && (
          <p className="form-error" role="alert" data-testid="discovery-error">
            {discovery.error}
          </p>
        )}
        {discovery.status === 'ready' && (
          <Endpoints
            endpoints={discovery.endpoints}
            chosen={endpoint}
            now={now}
            onChoose={(e) => store.getState().chooseEndpoint(e)}
          />
        )}

        <fieldset className="field-group">
          <legend>Security</legend>
          <label>
            Mode{' '}
            <select
              value={draft.mode}
              onChange={(e) => {
                const mode = e.target.value as SecurityMode;
                // None goes with None; a secure mode needs a real policy: keep the pair valid.
                const policy: SecurityPolicy =
                  mode === 'None' ? 'None' : draft.policy === 'None' ? 'Basic256Sha256' : draft.policy;
                set({ mode, policy });
              }}
              data-testid="security-mode"
            >
              {SECURITY_MODES.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <label>
            Policy{' '}
            <select
              value={draft.policy}
              onChange={(e) => set({ policy: e.target.value as SecurityPolicy })}
              data-testid="security-policy"
            >
              {SECURITY_POLICIES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          {!offered && (
            <span className="field-error" role="alert">
              The server does not offer this combination: choose one of its endpoints above.
            </span>
          )}
          {error('security')}
          {unknown('security')}
        </fieldset>

        <div className="field">
          <label htmlFor="conn-name">Name</label>
          <input
            id="conn-name"
            type="text"
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
            placeholder="e.g. Line 3 PLC"
            aria-invalid={!!errors.name}
            aria-describedby={describedBy('name')}
            data-testid="connection-name-input"
          />
          {error('name')}
        </div>

        {editing ? (
          <p className="field-note">
            Id <span className="mono">{form.connectionId}</span> (used in its tag ids, cannot change)
          </p>
        ) : (
          <div className="field">
            <label htmlFor="conn-id">Id (optional)</label>
            <input
              id="conn-id"
              type="text"
              className="mono"
              value={draft.id}
              onChange={(e) => set({ id: e.target.value })}
              placeholder="made from the name"
              aria-invalid={!!errors.id}
              aria-describedby={describedBy('id')}
            />
            {error('id')}
            <span className="field-note">Used in tag ids; it cannot change once tags use it.</span>
          </div>
        )}

        <fieldset className="field-group" data-testid="identity">
          <legend>Identity</legend>
          {identities.map((t) => (
            <label key={t}>
              <input
                type="radio"
                name="identity"
                value={t}
                checked={draft.identity === t}
                onChange={() => set({ identity: t })}
              />{' '}
              {IDENTITY_LABEL[t]}
            </label>
          ))}
          {!identities.includes(draft.identity) && (
            <span className="field-error" role="alert">
              This endpoint does not accept {IDENTITY_LABEL[draft.identity].toLowerCase()}.
            </span>
          )}
          {error('identity')}
          {unknown('identity')}
          {draft.identity === 'username' && (
            <div className="field-pair">
              <TextField
                id="conn-user"
                label="User name"
                value={draft.userName}
                onChange={(userName) => set({ userName })}
                error={error('userName')}
                autoComplete="username"
              />
              <TextField
                id="conn-password"
                label="Password"
                type="password"
                value={draft.password}
                onChange={(password) => set({ password })}
                error={error('password')}
                autoComplete={editing ? 'current-password' : 'new-password'}
                placeholder={editing ? 'leave empty to keep the stored password' : undefined}
              />
            </div>
          )}
          {draft.identity === 'certificate' && (
            <div className="field-pair">
              <TextField
                id="conn-cert"
                label="Certificate file (PEM or DER, on the core machine)"
                value={draft.certificateFile}
                onChange={(certificateFile) => set({ certificateFile })}
                error={error('certificateFile')}
                mono
              />
              <TextField
                id="conn-key"
                label="Private key file (PEM)"
                value={draft.privateKeyFile}
                onChange={(privateKeyFile) => set({ privateKeyFile })}
                error={error('privateKeyFile')}
                note={unknown('privateKeyFile')}
                mono
              />
            </div>
          )}
        </fieldset>

        <fieldset className="field-group">
          <legend>Options</legend>
          <label>
            <input
              type="checkbox"
              checked={draft.discover}
              onChange={(e) => set({ discover: e.target.checked })}
            />{' '}
            Import the whole address space (every numeric variable becomes a tag)
          </label>
          {unknown('discover')}
          <label>
            <input
              type="checkbox"
              checked={draft.alarms}
              onChange={(e) => set({ alarms: e.target.checked })}
            />{' '}
            Equipment alarms (the server’s Alarms &amp; Conditions)
          </label>
          <div className="field-pair">
            <TextField
              id="conn-sampling"
              label="Sampling interval (ms, 0 = every change)"
              value={draft.samplingIntervalMs}
              onChange={(samplingIntervalMs) => set({ samplingIntervalMs })}
              error={error('samplingIntervalMs')}
              note={unknown('samplingIntervalMs')}
              inputMode="decimal"
            />
            <TextField
              id="conn-publishing"
              label="Publishing interval (ms)"
              value={draft.publishingIntervalMs}
              onChange={(publishingIntervalMs) => set({ publishingIntervalMs })}
              error={error('publishingIntervalMs')}
              note={unknown('publishingIntervalMs')}
              inputMode="decimal"
            />
          </div>
        </fieldset>

        {errors.form && (
          <p className="form-error" role="alert" data-testid="form-error">
            {errors.form}
          </p>
        )}

        <div className="conn-dialog-buttons">
          <button type="submit" className="primary" disabled={busy} data-testid="save-connection">
            {busy ? 'Saving…' : editing ? 'Save and reconnect' : 'Add connection'}
          </button>
          <button type="button" onClick={close}>
            Cancel <kbd>Esc</kbd>
          </button>
        </div>
      </form>
    </div>
  );
}

function CertificateLine({
  cert,
  now,
}: {
  cert: NonNullable<EndpointInfo['serverCertificate']>;
  now: number;
}) {
  const validity = certificateValidity(cert, now);
  return (
    <span className="conn-sub" data-testid="endpoint-certificate">
      Server certificate {cert.subject}, <span className="mono">{groupThumbprint(cert.thumbprint)}</span>,
      valid {day(cert.notBefore)} to {day(cert.notAfter)}
      {validity.state !== 'valid' && (
        <span className={`cert-validity level-${validity.level}`}>{validity.text}</span>
      )}
      ; {ENDPOINT_TRUST[cert.state] ?? cert.state}
    </span>
  );
}

function Endpoints({
  endpoints,
  chosen,
  now,
  onChoose,
}: {
  endpoints: readonly EndpointInfo[];
  chosen: EndpointInfo | null;
  now: number;
  onChoose: (endpoint: EndpointInfo) => void;
}) {
  if (!endpoints.length)
    return (
      <p className="form-error" role="alert">
        The server answered but offers no endpoint.
      </p>
    );
  const shared = sharedCertificate(endpoints);
  return (
    <fieldset className="endpoint-list" data-testid="endpoint-list">
      <legend>Endpoints the server offers ({endpoints.length}): choose one</legend>
      {shared && <CertificateLine cert={shared} now={now} />}
      {endpoints.map((e) => {
        const support = endpointSupport(e);
        const cert = e.serverCertificate;
        const key = `${e.securityMode}|${e.securityPolicy}`;
        return (
          <label
            key={key}
            className={`endpoint${e === chosen ? ' chosen' : ''}${support.usable ? '' : ' unusable'}`}
            data-testid="endpoint-option"
            data-mode={e.securityMode}
            data-policy={e.securityPolicy}
          >
            <input
              type="radio"
              name="endpoint"
              value={key}
              checked={e === chosen}
              disabled={!support.usable}
              onChange={() => onChoose(e)}
            />
            <span className="endpoint-text">
              <strong>
                {e.securityMode === 'None' ? 'No security' : `${e.securityMode} · ${e.securityPolicy}`}
              </strong>{' '}
              <span className="conn-sub-inline">security level {e.securityLevel}</span>
              <span className="conn-sub">
                Identities: {e.userTokens.join(', ') || 'none'}
                {support.reason && <> — cannot be used: {support.reason}</>}
              </span>
              {cert && !shared && e.securityMode !== 'None' && <CertificateLine cert={cert} now={now} />}
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}

function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: ReactNode;
  note?: ReactNode;
  type?: 'text' | 'password';
  autoComplete?: string;
  placeholder?: string | undefined;
  inputMode?: 'decimal';
  mono?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        className={props.mono ? 'mono' : undefined}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete ?? 'off'}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        aria-invalid={!!props.error}
      />
      {props.error}
      {props.note}
    </div>
  );
}
