import type { AlarmDefinition } from './schemas';
import type { ExternalDescriptor } from './runtime';

/*
 * What the alarm engine needs from the rest of the core, as small interfaces: the tag catalog,
 * a store for definitions made through commands, and the way back to equipment that reports its
 * own alarms (OPC UA Alarms & Conditions).
 */

export interface TagInfo {
  id: string;
  assetId: string;
}

/** What the engine needs to know about tags: whether one exists and which asset owns it. */
export interface TagCatalog {
  getTag(tagId: string): TagInfo | undefined;
}

/** Keeps the definitions created through commands across restarts (config-file ones live in the file). */
export interface AlarmDefinitionStore {
  list(): AlarmDefinition[];
  save(definition: AlarmDefinition): void;
  remove(id: string): void;
}

export class InMemoryDefinitionStore implements AlarmDefinitionStore {
  private readonly items = new Map<string, AlarmDefinition>();
  list(): AlarmDefinition[] {
    return [...this.items.values()];
  }
  save(definition: AlarmDefinition): void {
    this.items.set(definition.id, definition);
  }
  remove(id: string): void {
    this.items.delete(id);
  }
}

/** Sends operator actions on external (OPC UA) alarms back to the equipment. */
export interface ExternalConditionPort {
  acknowledge(request: { alarmId: string; ref: unknown; comment: string; user: string }): Promise<void>;
}

/** The state of an external condition as the equipment reports it. */
export interface ExternalConditionUpdate extends ExternalDescriptor {
  active: boolean;
  acknowledged: boolean;
  /** Who acknowledged it at the equipment, when known. */
  acknowledgedBy?: string;
  comment?: string;
  value?: number | null;
  at: number;
  correlationId: string;
}

/** A tag catalog backed by a map (tag id -> asset id); createCore fills it when tags are discovered. */
export class MapTagCatalog implements TagCatalog {
  private readonly tags = new Map<string, TagInfo>();

  constructor(entries: Record<string, string> = {}) {
    for (const [id, assetId] of Object.entries(entries)) this.add(id, assetId);
  }

  add(id: string, assetId: string): this {
    this.tags.set(id, { id, assetId });
    return this;
  }

  getTag(tagId: string): TagInfo | undefined {
    return this.tags.get(tagId);
  }
}
