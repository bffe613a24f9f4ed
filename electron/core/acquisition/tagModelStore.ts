import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
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
 * Keeps the operator's tag model (assets and tags added by browsing) in the JSON configuration file,
 * inside the connection it belongs to. Every change re-validates the whole file, then replaces it
 * atomically (write to a temporary file, fsync, rename), keeping the previous version as
 * `<file>.bak`: a crash mid-write leaves the old file or the new one, never half of one. Fields it does
 * not manage are kept as written. Changes are applied one at a time.
 */
export class TagModelStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly configFile: string) {}

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
    const run = this.queue.then(() => {
      const raw = this.read();
      const connection = this.findConnection(raw, connectionId);
      edit(connection);
      try {
        parseConfig(raw, `configuration file ${this.configFile}`);
      } catch (err) {
        throw new CoreError('invalid_input', (err as Error).message);
      }
      this.write(raw);
      return ConnectionConfigSchema.parse(connection);
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
    const parsed = JSON.parse(text) as unknown;
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

function asArray<T>(value: unknown): T[] {
  return Array.isArray(value) ? [...(value as T[])] : [];
}

/** JSON without "key": undefined noise. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
