import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { CoreError } from '../app/api';
import { ConnectionConfigSchema, parseConfig, type ConnectionConfig } from '../app/config';
import type { AssetConfig, TagConfig } from './connectionSchema';

type RawConfig = Record<string, unknown> & { connections?: unknown };
type RawConnection = Record<string, unknown> & { id?: unknown; tags?: unknown; assets?: unknown };

/**
 * Keeps what the operator changes in the console in the JSON configuration file: connections added,
 * edited and removed, and their tag models (assets and tags added by browsing) inside the connection
 * they belong to. The file need not exist: the first change creates it. Every change re-validates the whole file, then replaces it
 * atomically (write to a temporary file, fsync, rename), keeping the previous version as
 * `<file>.bak`: a crash mid-write leaves the old file or the new one, never half of one. Fields it does
 * not manage are kept as written. Changes are applied one at a time.
 */
export class TagModelStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Ids of the file's connections as of the last read or write (the file is only changed here). */
  private ids: ReadonlySet<string> | null = null;

  constructor(readonly configFile: string) {}

  /** Ids of the connections in the file. */
  connectionIds(): ReadonlySet<string> {
    this.ids ??= idsOf(this.read());
    return this.ids;
  }

  /** Appends a connection; its id must be new. Returns it with defaults applied. */
  addConnection(connection: RawConnection): Promise<ConnectionConfig> {
    return this.mutate((raw) => {
      const connections = Array.isArray(raw.connections) ? (raw.connections as unknown[]) : [];
      if (connections.some((c) => isRecord(c) && c.id === connection.id)) {
        throw new CoreError(
          'invalid_input',
          `Connection id "${String(connection.id)}" is already in ${path.basename(this.configFile)}`,
        );
      }
      raw.connections = [...connections, stripUndefined(connection)];
      return connection;
    });
  }

  /** Changes a connection in place (its id must stay); returns it with defaults applied. */
  updateConnection(
    connectionId: string,
    edit: (connection: RawConnection) => void,
  ): Promise<ConnectionConfig> {
    return this.change(connectionId, (connection) => {
      edit(connection);
      if (connection.id !== connectionId) {
        throw new CoreError('invalid_input', `The id of connection "${connectionId}" cannot change`);
      }
    });
  }

  /** Removes a connection with its tags and assets. */
  removeConnection(connectionId: string): Promise<void> {
    return this.mutate((raw) => {
      const connection = this.findConnection(raw, connectionId);
      raw.connections = (raw.connections as unknown[]).filter((c) => c !== connection);
      return null;
    }).then(() => undefined);
  }

  /** The connection as the file holds it now, defaults applied. */
  connection(connectionId: string): ConnectionConfig {
    const raw = this.read();
    return ConnectionConfigSchema.parse(this.findConnection(raw, connectionId));
  }

  /** Adds tags (and the asset they belong to, when new) to a connection; returns it updated. */
  addTags(connectionId: string, tags: readonly TagConfig[], asset?: AssetConfig): Promise<ConnectionConfig> {
    return this.change(connectionId, (connection) => {
      const existingTags = asArray<TagConfig>(connection.tags);
      const existingAssets = asArray<AssetConfig>(connection.assets);
      if (asset && !existingAssets.some((a) => a.id === asset.id)) existingAssets.push(stripUndefined(asset));
      const ids = new Set(existingTags.map((t) => t.id));
      const nodes = new Map(existingTags.map((t) => [t.nodeId, t.id]));
      for (const tag of tags) {
        if (ids.has(tag.id)) throw new CoreError('invalid_input', `Tag id "${tag.id}" is already in use`);
        const other = nodes.get(tag.nodeId);
        if (other) throw new CoreError('invalid_input', `Node ${tag.nodeId} is already tag "${other}"`);
        ids.add(tag.id);
        nodes.set(tag.nodeId, tag.id);
        existingTags.push(stripUndefined(tag));
      }
      connection.tags = existingTags;
      if (existingAssets.length) connection.assets = existingAssets;
    });
  }

  /** Removes tags by id; unknown ids are an error (nothing is removed then). */
  removeTags(connectionId: string, tagIds: readonly string[]): Promise<ConnectionConfig> {
    return this.change(connectionId, (connection) => {
      const existing = asArray<TagConfig>(connection.tags);
      const unknown = tagIds.filter((id) => !existing.some((t) => t.id === id));
      if (unknown.length) {
        throw new CoreError(
          'not_found',
          `No configured tag ${unknown.map((id) => `"${id}"`).join(', ')} on connection "${connectionId}"`,
        );
      }
      connection.tags = existing.filter((t) => !tagIds.includes(t.id));
    });
  }

  private change(connectionId: string, edit: (connection: RawConnection) => void): Promise<ConnectionConfig> {
    return this.mutate((raw) => {
      const connection = this.findConnection(raw, connectionId);
      edit(connection);
      return connection;
    });
  }

  /**
   * Reads the file, edits it, validates the whole of it and writes it, one change at a time. Returns
   * the connection `edit` returns, with defaults applied (null: none).
   */
  private mutate(edit: (raw: RawConfig) => RawConnection): Promise<ConnectionConfig>;
  private mutate(edit: (raw: RawConfig) => null): Promise<null>;
  private mutate(edit: (raw: RawConfig) => RawConnection | null): Promise<ConnectionConfig | null> {
    const run = this.queue.then(() => {
      const raw = this.read();
      const connection = edit(raw);
      try {
        parseConfig(raw, `configuration file ${this.configFile}`);
      } catch (err) {
        throw new CoreError('invalid_input', (err as Error).message);
      }
      this.write(raw);
      this.ids = idsOf(raw);
      return connection ? ConnectionConfigSchema.parse(connection) : null;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private read(): RawConfig {
    let text: string;
    try {
      text = readFileSync(this.configFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new CoreError(
        'internal',
        `Configuration file ${this.configFile} is not valid JSON (${(err as Error).message}); fix or restore it from ${path.basename(this.configFile)}.bak`,
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CoreError('internal', `Configuration file ${this.configFile} does not hold a JSON object`);
    }
    return parsed as RawConfig;
  }

  private findConnection(raw: RawConfig, connectionId: string): RawConnection {
    const connections = Array.isArray(raw.connections) ? (raw.connections as RawConnection[]) : [];
    const connection = connections.find((c) => c && c.id === connectionId);
    if (!connection) {
      throw new CoreError(
        'not_found',
        `Connection "${connectionId}" is not in ${path.basename(this.configFile)}; only configured connections keep a tag model (the built-in simulator's tags come from its address space)`,
      );
    }
    return connection;
  }

  private write(raw: RawConfig): void {
    const dir = path.dirname(this.configFile);
    mkdirSync(dir, { recursive: true });
    const temp = path.join(dir, `.${path.basename(this.configFile)}.${process.pid}.${Date.now()}.tmp`);
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(raw, null, 2)}\n`);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      unlinkSync(temp);
      throw err;
    }
    closeSync(fd);
    if (existsSync(this.configFile)) copyFileSync(this.configFile, `${this.configFile}.bak`);
    renameSync(temp, this.configFile);
    // The rename itself is durable once the directory is flushed (where the OS allows opening one).
    try {
      const dirFd = openSync(dir, 'r');
      fsyncSync(dirFd);
      closeSync(dirFd);
    } catch {
      // Windows cannot open a directory; NTFS journals the rename.
    }
  }
}

function idsOf(raw: RawConfig): Set<string> {
  const connections = Array.isArray(raw.connections) ? (raw.connections as unknown[]) : [];
  return new Set(connections.filter(isRecord).flatMap((c) => (typeof c.id === 'string' ? [c.id] : [])));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray<T>(value: unknown): T[] {
  return Array.isArray(value) ? [...(value as T[])] : [];
}

/** JSON without "key": undefined noise. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
