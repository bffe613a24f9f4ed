import { useEffect, useId, useMemo, useRef, type FormEvent, type ReactNode } from 'react';
import type { AssetKind } from '../../../../shared/domain';
import {
  checkAddTags,
  newAssetId,
  parentCandidates,
  targetAssets,
  type AddTagsField,
  type AddTagsFormValues,
  type DeadbandType,
} from './addTagsForm';
import { formatCount, isArrayVariable, tagsByNode } from './browseModel';
import { useBrowse, useBrowseStore } from './context';

/** The "Add N tags" form: target asset, monitoring options, the tags it will create. */
export function AddTagsForm({ values }: { values: AddTagsFormValues }) {
  const store = useBrowseStore();
  const connectionId = useBrowse((s) => s.connectionId);
  const selection = useBrowse((s) => s.selection);
  const catalog = useBrowse((s) => s.catalog);
  const adding = useBrowse((s) => s.adding);
  const id = useId();
  const firstRef = useRef<HTMLInputElement>(null);

  const picked = useMemo(() => [...selection.values()], [selection]);
  const check = useMemo(
    () =>
      checkAddTags(values, {
        connectionId,
        selection: picked,
        assets: catalog.assets,
        tags: catalog.tags,
        tagsByNode: tagsByNode(catalog.tags, connectionId),
      }),
    [values, connectionId, picked, catalog],
  );
  const existing = useMemo(() => targetAssets(catalog.assets, connectionId), [catalog.assets, connectionId]);
  const parents = useMemo(() => parentCandidates(catalog.assets), [catalog.assets]);
  const arrays = picked.some((p) => isArrayVariable(p.variable));
  const count = picked.length;

  // The keyboard lands in the form when it opens.
  useEffect(() => firstRef.current?.focus(), []);

  const set = (patch: Partial<AddTagsFormValues>) => store.getState().setForm(patch);
  const formRef = useRef<HTMLFormElement>(null);
  /** When the form goes away, the keyboard goes back to the tree rather than to nowhere. */
  const backToTree = (panel: Element | null | undefined) =>
    panel?.querySelector<HTMLElement>('.browse-tree [tabindex="0"]')?.focus();
  const close = () => {
    backToTree(formRef.current?.closest('.browse-panel'));
    store.getState().closeForm();
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Found now: on success the form is gone before the answer is handled here.
    const panel = formRef.current?.closest('.browse-panel');
    void store
      .getState()
      .submit()
      .then((added) => {
        if (added) backToTree(panel);
      });
  };
  const fieldId = (f: AddTagsField) => `${id}-${f}`;
  const errorOf = (f: AddTagsField) => check.fieldErrors[f];
  const described = (f: AddTagsField) =>
    errorOf(f) ? { 'aria-invalid': true, 'aria-describedby': `${fieldId(f)}-error` } : {};
  const fieldError = (field: AddTagsField) =>
    errorOf(field) ? (
      <span className="browse-field-error" id={`${fieldId(field)}-error`}>
        {errorOf(field)}
      </span>
    ) : null;

  return (
    <form
      ref={formRef}
      className="browse-form"
      aria-labelledby={`${id}-title`}
      onSubmit={onSubmit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          close();
        }
      }}
      data-testid="add-tags-form"
      noValidate
    >
      <h4 className="browse-form-title" id={`${id}-title`}>
        Add {count === 1 ? '1 tag' : `${formatCount(count)} tags`}
      </h4>

      <fieldset className="browse-fieldset">
        <legend>Asset</legend>
        <label className="browse-radio">
          <input
            ref={values.target === 'existing' ? firstRef : undefined}
            type="radio"
            name={`${id}-target`}
            checked={values.target === 'existing'}
            disabled={existing.length === 0}
            onChange={() => set({ target: 'existing' })}
          />
          Existing asset{existing.length === 0 ? ' (this connection has none yet)' : ''}
        </label>
        {values.target === 'existing' && existing.length > 0 && (
          <Row label="Asset" htmlFor={fieldId('assetId')}>
            <select
              id={fieldId('assetId')}
              value={values.assetId}
              onChange={(e) => set({ assetId: e.target.value })}
              {...described('assetId')}
            >
              {!values.assetId && <option value="">Choose…</option>}
              {existing.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.id})
                </option>
              ))}
            </select>
            {fieldError('assetId')}
          </Row>
        )}
        <label className="browse-radio">
          <input
            ref={values.target === 'new' ? firstRef : undefined}
            type="radio"
            name={`${id}-target`}
            checked={values.target === 'new'}
            onChange={() => set({ target: 'new' })}
          />
          New asset
        </label>
        {values.target === 'new' && (
          <>
            <Row label="Name" htmlFor={fieldId('newAssetName')}>
              <input
                id={fieldId('newAssetName')}
                type="text"
                value={values.newAssetName}
                onChange={(e) => set({ newAssetName: e.target.value })}
                placeholder="e.g. Engine 1 test"
                {...described('newAssetName')}
              />
              {values.newAssetName.trim() && !errorOf('newAssetName') && (
                <span className="browse-field-note">id {newAssetId(connectionId, values.newAssetName)}</span>
              )}
              {fieldError('newAssetName')}
            </Row>
            <Row label="Parent" htmlFor={fieldId('newAssetParentId')}>
              <select
                id={fieldId('newAssetParentId')}
                value={values.newAssetParentId}
                onChange={(e) => set({ newAssetParentId: e.target.value })}
                {...described('newAssetParentId')}
              >
                <option value="">None (top level)</option>
                {parents.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({a.kind})
                  </option>
                ))}
              </select>
              {fieldError('newAssetParentId')}
            </Row>
            <Row label="Kind" htmlFor={fieldId('newAssetKind')}>
              <select
                id={fieldId('newAssetKind')}
                value={values.newAssetKind}
                onChange={(e) => set({ newAssetKind: e.target.value as AssetKind })}
                {...described('newAssetKind')}
              >
                <option value="asset">Asset</option>
                <option value="area">Area</option>
                <option value="site">Site</option>
              </select>
              {fieldError('newAssetKind')}
            </Row>
          </>
        )}
      </fieldset>

      <fieldset className="browse-fieldset">
        <legend>Monitoring</legend>
        <Row label="Sampling interval (ms)" htmlFor={fieldId('samplingIntervalMs')}>
          <input
            id={fieldId('samplingIntervalMs')}
            type="number"
            min={0}
            inputMode="numeric"
            value={values.samplingIntervalMs}
            onChange={(e) => set({ samplingIntervalMs: e.target.value })}
            {...described('samplingIntervalMs')}
          />
          <span className="browse-field-note">0 = every change (the default)</span>
          {fieldError('samplingIntervalMs')}
        </Row>
        <Row label="Queue size" htmlFor={fieldId('queueSize')}>
          <input
            id={fieldId('queueSize')}
            type="number"
            min={1}
            inputMode="numeric"
            value={values.queueSize}
            onChange={(e) => set({ queueSize: e.target.value })}
            {...described('queueSize')}
          />
          <span className="browse-field-note">values the server keeps between publishes (default 100)</span>
          {fieldError('queueSize')}
        </Row>
        <Row label="Deadband" htmlFor={fieldId('deadbandValue')}>
          <select
            aria-label="Deadband type"
            value={values.deadbandType}
            onChange={(e) => set({ deadbandType: e.target.value as DeadbandType })}
          >
            <option value="none">None (the default)</option>
            <option value="absolute">Absolute (engineering units)</option>
            <option value="percent">Percent of the EU range</option>
          </select>
          {values.deadbandType !== 'none' && (
            <input
              id={fieldId('deadbandValue')}
              aria-label="Deadband value"
              type="number"
              min={0}
              value={values.deadbandValue}
              onChange={(e) => set({ deadbandValue: e.target.value })}
              {...described('deadbandValue')}
            />
          )}
          {fieldError('deadbandValue')}
        </Row>
        {arrays && (
          <Row label="Sample rate of arrays (Hz)" htmlFor={fieldId('sampleRateHz')}>
            <input
              id={fieldId('sampleRateHz')}
              type="number"
              min={0}
              value={values.sampleRateHz}
              onChange={(e) => set({ sampleRateHz: e.target.value })}
              placeholder="as the server says"
              {...described('sampleRateHz')}
            />
            <span className="browse-field-note">
              for waveform variables only; empty = the server’s SampleRate
            </span>
            {fieldError('sampleRateHz')}
          </Row>
        )}
      </fieldset>

      {check.planned.length > 0 && (
        <div className="browse-plan">
          <p className="browse-plan-title">
            Tags to create{check.asset ? ` under ${check.asset.name}` : ''}:
          </p>
          <ul data-testid="add-tags-plan">
            {check.planned.map((p) => (
              <li key={p.nodeId} className={p.alreadyTag ? 'warn' : undefined}>
                {p.name} <code>{p.id}</code>
                {p.array ? ' (array)' : ''}
                {p.alreadyTag ? (
                  <span className="browse-badge already"> already tag {p.alreadyTag.id}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      )}
      {check.problems.map((p) => (
        <p key={p} className="browse-error">
          {p}
        </p>
      ))}
      {check.warnings.map((w) => (
        <p key={w} className="panel-note warning">
          {w}
        </p>
      ))}
      {catalog.status === 'error' && (
        <p className="browse-error">
          The asset list could not be loaded ({catalog.error}).{' '}
          <button type="button" onClick={() => void store.getState().loadCatalog()}>
            Retry
          </button>
        </p>
      )}
      {adding.error && (
        <p className="browse-error" role="alert" data-testid="add-tags-error">
          {adding.error}
        </p>
      )}
      <div className="browse-buttons">
        <button
          type="submit"
          className="primary"
          disabled={!check.request || adding.busy}
          data-testid="add-tags-submit"
        >
          {adding.busy ? 'Adding…' : `Add ${count === 1 ? '1 tag' : `${formatCount(count)} tags`}`}
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Row({ label, htmlFor, children }: { label: string; htmlFor: string; children: ReactNode }) {
  return (
    <div className="browse-form-row">
      <label htmlFor={htmlFor}>{label}</label>
      <div className="browse-form-control">{children}</div>
    </div>
  );
}
