import type { z } from 'zod';
import {
  ConnectionSettingsSchema,
  SECURITY_MODES,
  SECURITY_POLICIES,
  acquisitionCommands,
} from '../../../../shared/acquisitionApi';
import type { CommandInput, CommandOutput } from '../../../../shared/api';
import type { ConnectionDetails } from './connectionModel';

/**
 * The add / edit connection form as data: what the engineer typed (strings, kept as typed so an
 * error never loses anything), how it becomes addConnection / updateConnection input, and where
 * each problem the contract or the core reports belongs in the form.
 */

export type SecurityMode = (typeof SECURITY_MODES)[number];
export type SecurityPolicy = (typeof SECURITY_POLICIES)[number];
export type IdentityType = 'anonymous' | 'username' | 'certificate';
export type EndpointInfo = CommandOutput<'discoverEndpoints'>[number];
export type AddInput = CommandInput<'addConnection'>;
export type UpdateInput = CommandInput<'updateConnection'>;

export interface ConnectionDraft {
  endpointUrl: string;
  name: string;
  /** Add only; empty = derived from the name by the core. */
  id: string;
  mode: SecurityMode;
  policy: SecurityPolicy;
  identity: IdentityType;
  userName: string;
  /** Edit: empty keeps the stored password. */
  password: string;
  certificateFile: string;
  privateKeyFile: string;
  discover: boolean;
  alarms: boolean;
  samplingIntervalMs: string;
  publishingIntervalMs: string;
}

/** Where a problem is shown: next to a field, or above the buttons ('form'). */
export type FormField =
  | 'endpointUrl'
  | 'name'
  | 'id'
  | 'security'
  | 'identity'
  | 'userName'
  | 'password'
  | 'certificateFile'
  | 'privateKeyFile'
  | 'samplingIntervalMs'
  | 'publishingIntervalMs'
  | 'discover'
  | 'form';

export type FieldErrors = Partial<Record<FormField, string>>;

export const DEFAULT_SAMPLING_MS = 0;
export const DEFAULT_PUBLISHING_MS = 100;

export function emptyDraft(): ConnectionDraft {
  return {
    endpointUrl: 'opc.tcp://',
    name: '',
    id: '',
    mode: 'None',
    policy: 'None',
    identity: 'anonymous',
    userName: '',
    password: '',
    certificateFile: '',
    privateKeyFile: '',
    discover: false,
    alarms: false,
    samplingIntervalMs: String(DEFAULT_SAMPLING_MS),
    publishingIntervalMs: String(DEFAULT_PUBLISHING_MS),
  };
}

const isMode = (v: string): v is SecurityMode => (SECURITY_MODES as readonly string[]).includes(v);
const isPolicy = (v: string): v is SecurityPolicy => (SECURITY_POLICIES as readonly string[]).includes(v);

export interface EditDraft {
  draft: ConnectionDraft;
  /**
   * Settings the core does not report in getConnectionDetails, filled with their defaults: the
   * form says so next to them, since saving replaces them.
   */
  unknown: FormField[];
}

/** The edit form of a configured connection, from what getConnectionDetails reports. */
export function draftFromDetails(details: ConnectionDetails): EditDraft {
  if (details.settings) return { draft: draftFromSettings(details.settings), unknown: [] };
  const draft = emptyDraft();
  const unknown: FormField[] = [];
  draft.endpointUrl = details.status.endpointUrl;
  draft.name = details.name;
  draft.id = details.status.id;
  if (isMode(details.security.mode) && isPolicy(details.security.policy)) {
    draft.mode = details.security.mode;
    draft.policy = details.security.policy;
  } else unknown.push('security');
  // acquisition/identity.ts describeIdentity: 'anonymous', 'user "<name>"', 'certificate <file>'.
  const user = /^user "(.*)"$/.exec(details.identity);
  const cert = /^certificate (.+)$/.exec(details.identity);
  if (user) {
    draft.identity = 'username';
    draft.userName = user[1]!;
  } else if (cert) {
    draft.identity = 'certificate';
    draft.certificateFile = cert[1]!;
    unknown.push('privateKeyFile');
  } else if (details.identity !== 'anonymous') unknown.push('identity');
  draft.alarms = details.alarms.enabled;
  const publishing = details.subscriptions[0]?.publishingIntervalMs;
  if (publishing !== undefined && publishing > 0) draft.publishingIntervalMs = String(publishing);
  else unknown.push('publishingIntervalMs');
  unknown.push('samplingIntervalMs', 'discover');
  return { draft, unknown };
}

/** The edit form from the settings the core saved (all of them but the password). */
function draftFromSettings(settings: NonNullable<ConnectionDetails['settings']>): ConnectionDraft {
  const { identity } = settings;
  return {
    ...emptyDraft(),
    endpointUrl: settings.endpointUrl,
    name: settings.name,
    id: settings.id,
    mode: settings.security.mode,
    policy: settings.security.policy,
    identity: identity.type,
    userName: identity.type === 'username' ? identity.userName : '',
    certificateFile: identity.type === 'certificate' ? identity.certificateFile : '',
    privateKeyFile: identity.type === 'certificate' ? identity.privateKeyFile : '',
    discover: settings.discover,
    alarms: settings.alarms,
    samplingIntervalMs: String(settings.samplingIntervalMs),
    publishingIntervalMs: String(settings.publishingIntervalMs),
  };
}

/** Identity types the endpoint accepts that Vigil can use (issued tokens it cannot). */
export function identityOptions(endpoint: EndpointInfo | null): IdentityType[] {
  const all: IdentityType[] = ['anonymous', 'username', 'certificate'];
  if (!endpoint) return all;
  return all.filter((t) => endpoint.userTokens.includes(t));
}

export const IDENTITY_LABEL: Record<IdentityType, string> = {
  anonymous: 'Anonymous',
  username: 'User name and password',
  certificate: 'User certificate (files on the core machine)',
};

export interface EndpointSupport {
  usable: boolean;
  /** Why not, in words. */
  reason: string | null;
}

/** Whether Vigil can connect with an endpoint's security (deprecated policies it refuses, Part 7). */
export function endpointSupport(endpoint: EndpointInfo): EndpointSupport {
  if (!isMode(endpoint.securityMode))
    return { usable: false, reason: `security mode ${endpoint.securityMode} is unknown` };
  if (!isPolicy(endpoint.securityPolicy))
    return {
      usable: false,
      reason: `policy ${endpoint.securityPolicy} is deprecated (OPC UA 1.05); Vigil does not use it`,
    };
  if (!identityOptions(endpoint).length)
    return { usable: false, reason: 'no identity type Vigil supports is offered' };
  return { usable: true, reason: null };
}

/** The discovered endpoint matching the form's security, if any. */
export function chosenEndpoint(
  draft: Pick<ConnectionDraft, 'mode' | 'policy'>,
  endpoints: readonly EndpointInfo[],
): EndpointInfo | null {
  return endpoints.find((e) => e.securityMode === draft.mode && e.securityPolicy === draft.policy) ?? null;
}

/**
 * The server certificate when every secured endpoint presents the same one (the usual case): the
 * dialog then shows it once instead of on every endpoint.
 */
export function sharedCertificate(endpoints: readonly EndpointInfo[]): EndpointInfo['serverCertificate'] {
  const certs = endpoints.filter((e) => e.securityMode !== 'None').map((e) => e.serverCertificate);
  const first = certs[0];
  if (!first || certs.some((c) => c?.thumbprint !== first.thumbprint)) return null;
  return first;
}

/** The form after choosing an endpoint: its security, and an identity it accepts. */
export function applyEndpoint(draft: ConnectionDraft, endpoint: EndpointInfo): ConnectionDraft {
  if (!endpointSupport(endpoint).usable) return draft;
  const next = { ...draft, mode: endpoint.securityMode, policy: endpoint.securityPolicy as SecurityPolicy };
  const options = identityOptions(endpoint);
  if (!options.includes(next.identity)) next.identity = options[0]!;
  return next;
}

/** Endpoints in the order to choose from: usable ones first, most secure first (the server's level). */
export function sortEndpoints(endpoints: readonly EndpointInfo[]): EndpointInfo[] {
  return [...endpoints].sort(
    (a, b) =>
      Number(endpointSupport(b).usable) - Number(endpointSupport(a).usable) ||
      b.securityLevel - a.securityLevel,
  );
}

/** A core or contract field path ("identity.userName") -> the form field that shows it. */
export function fieldOfPath(path: string): FormField {
  const parts = path.split('.');
  const head = parts[0] ?? '';
  if (head === 'security') return 'security';
  if (head === 'identity') {
    const sub = parts[1];
    if (sub === 'userName' || sub === 'password' || sub === 'certificateFile' || sub === 'privateKeyFile')
      return sub;
    return 'identity';
  }
  if (
    head === 'endpointUrl' ||
    head === 'name' ||
    head === 'id' ||
    head === 'samplingIntervalMs' ||
    head === 'publishingIntervalMs' ||
    head === 'discover'
  )
    return head;
  // A connectionId that is refused is the id the engineer typed (or derived from the name).
  if (head === 'connectionId') return 'id';
  return 'form';
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Field problems from a list of issues (contract or core); the first per field wins. */
export function fieldErrors(issues: readonly { path: string; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const field = fieldOfPath(issue.path);
    const text = sentence(issue.message);
    if (!out[field]) out[field] = text;
    else if (field === 'form' && !out.form!.includes(text)) out.form += ` ${text}`;
  }
  return out;
}

function milliseconds(text: string, fallback: number): number {
  const t = text.trim();
  if (t === '') return fallback;
  return Number(t);
}

export type BuiltInput<T> = { ok: true; input: T } | { ok: false; errors: FieldErrors };

/**
 * The command input for the form, checked against the contract's own schema before anything is
 * sent. `editId`: the connection being edited (updateConnection; an empty password keeps the
 * stored one); null: a new connection (addConnection).
 */
export function buildInput(draft: ConnectionDraft, editId: null): BuiltInput<AddInput>;
export function buildInput(draft: ConnectionDraft, editId: string): BuiltInput<UpdateInput>;
export function buildInput(
  draft: ConnectionDraft,
  editId: string | null,
): BuiltInput<AddInput | UpdateInput> {
  const errors: FieldErrors = {};
  const sampling = milliseconds(draft.samplingIntervalMs, DEFAULT_SAMPLING_MS);
  const publishing = milliseconds(draft.publishingIntervalMs, DEFAULT_PUBLISHING_MS);
  if (!Number.isFinite(sampling))
    errors.samplingIntervalMs = 'Give a number of milliseconds (0 = every change)';
  if (!Number.isFinite(publishing)) errors.publishingIntervalMs = 'Give a number of milliseconds';

  let identity: AddInput['identity'];
  if (draft.identity === 'username') {
    identity = {
      type: 'username',
      userName: draft.userName.trim(),
      password: editId !== null && draft.password === '' ? undefined : draft.password,
    };
  } else if (draft.identity === 'certificate') {
    identity = {
      type: 'certificate',
      certificateFile: draft.certificateFile.trim(),
      privateKeyFile: draft.privateKeyFile.trim(),
    };
  } else identity = { type: 'anonymous' };

  const id = editId ?? (draft.id.trim() || undefined);
  const input = {
    ...(id !== undefined ? { id } : {}),
    name: draft.name.trim(),
    endpointUrl: draft.endpointUrl.trim(),
    security: { mode: draft.mode, policy: draft.policy },
    identity,
    discover: draft.discover,
    alarms: draft.alarms,
    samplingIntervalMs: sampling,
    publishingIntervalMs: publishing,
  };
  const schema: z.ZodType =
    editId === null ? ConnectionSettingsSchema : acquisitionCommands.updateConnection.input;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const found = fieldErrors(
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
    // Our own number messages say more than "expected number, received NaN".
    for (const [field, text] of Object.entries(found) as [FormField, string][]) errors[field] ??= text;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, input: input as AddInput };
}

/** Whether the URL can be given to discoverEndpoints (same rule as the contract). */
export function endpointUrlProblem(url: string): string | null {
  const parsed = acquisitionCommands.discoverEndpoints.input.safeParse({ endpointUrl: url.trim() });
  if (parsed.success) return null;
  return sentence(parsed.error.issues[0]?.message ?? 'Invalid endpoint URL');
}
