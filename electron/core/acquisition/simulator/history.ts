import {
  AccessLevelFlag,
  DataType,
  DataValue,
  isMinDate,
  StatusCodes,
  Variant,
  type IVariableHistorian,
  type NodeId,
  type ReadRawModifiedDetails,
  type StatusCode,
  type UAVariable,
} from 'node-opcua';

/** Values a ring starts with; it doubles as values arrive, up to its capacity. */
const INITIAL_SLOTS = 16;

/**
 * The in-memory history of one scalar Double variable: the last `capacity` values with their
 * source timestamps and status codes, oldest dropped first. Values sit in typed arrays (16 bytes
 * plus a shared StatusCode reference each) instead of node-opcua's default linked list of
 * DataValue objects, so hours of playback for every tag stay a few megabytes; DataValues are made
 * only for what a HistoryRead returns.
 *
 * Reads follow OPC 10000-11 3.1.9: the time domain starts at startTime (included) and ends just
 * before endTime (excluded), running backward when endTime is earlier than startTime; with only
 * endTime and numValuesPerNode given, it runs backward from endTime (included).
 */
export class RingHistorian implements IVariableHistorian {
  private times = new Float64Array(0);
  private values = new Float64Array(0);
  private statuses: StatusCode[] = [];
  /** Index of the oldest value. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.count;
  }

  /** Called by node-opcua for every value change of the variable (through its "value_changed" event). */
  push(dataValue: DataValue): Promise<void> {
    // A variable that was never written holds a Null value: nothing was played yet.
    if (!dataValue.value || dataValue.value.dataType === DataType.Null) return Promise.resolve();
    const value = dataValue.value?.value as unknown;
    const time = dataValue.sourceTimestamp?.getTime() ?? dataValue.serverTimestamp?.getTime() ?? Date.now();
    this.record(
      typeof value === 'number' ? value : Number.NaN,
      time,
      dataValue.statusCode ?? StatusCodes.Good,
    );
    return Promise.resolve();
  }

  /** Appends one value; also used directly for values that were recorded but not published (a stall). */
  record(value: number, timeMs: number, status: StatusCode): void {
    if (this.count === this.times.length && this.count < this.capacity) this.grow();
    const slots = this.times.length;
    let index: number;
    if (this.count < slots) {
      index = (this.head + this.count) % slots;
      this.count++;
    } else {
      index = this.head; // full: overwrite the oldest
      this.head = (this.head + 1) % slots;
    }
    this.times[index] = timeMs;
    this.values[index] = value;
    this.statuses[index] = status;
  }

  /** The oldest and newest timestamps held (epoch ms), or null when empty. */
  span(): { first: number; last: number } | null {
    if (this.count === 0) return null;
    const slots = this.times.length;
    return { first: this.times[this.head]!, last: this.times[(this.head + this.count - 1) % slots]! };
  }

  extractDataValues(
    details: ReadRawModifiedDetails,
    maxNumberToExtract: number,
    isReversed: boolean,
    reverseDataValue: boolean,
    callback: (err: Error | null, dataValue?: DataValue[]) => void,
  ): void {
    const start = details.startTime && !isMinDate(details.startTime) ? details.startTime.getTime() : null;
    const end = details.endTime && !isMinDate(details.endTime) ? details.endTime.getTime() : null;
    // node-opcua swaps startTime and endTime of a backward request and sets reverseDataValue, so the
    // later bound (the request's startTime) is the one included.
    const includesLow = !reverseDataValue;
    const includesHigh = reverseDataValue || (isReversed && start === null);
    const inDomain = (t: number) =>
      (start === null || (includesLow ? t >= start : t > start)) &&
      (end === null || (includesHigh ? t <= end : t < end) || (start !== null && start === end && t === end));
    const out: DataValue[] = [];
    const slots = this.times.length;
    for (let k = 0; k < this.count; k++) {
      const i = isReversed ? (this.head + this.count - 1 - k) % slots : (this.head + k) % slots;
      if (!inDomain(this.times[i]!)) continue;
      out.push(this.dataValueAt(i));
      if (maxNumberToExtract > 0 && out.length >= maxNumberToExtract) break;
    }
    if (reverseDataValue) out.reverse();
    callback(null, out);
  }

  private dataValueAt(i: number): DataValue {
    const time = new Date(this.times[i]!);
    return new DataValue({
      value: new Variant({ dataType: DataType.Double, value: this.values[i]! }),
      statusCode: this.statuses[i]!,
      sourceTimestamp: time,
      serverTimestamp: time,
    });
  }

  /** Doubles the ring (up to capacity), unrolling it so the oldest value is at index 0. */
  private grow(): void {
    const slots = Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.times.length * 2));
    const times = new Float64Array(slots);
    const values = new Float64Array(slots);
    const statuses: StatusCode[] = new Array<StatusCode>(slots);
    const old = this.times.length;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % old;
      times[k] = this.times[i]!;
      values[k] = this.values[i]!;
      statuses[k] = this.statuses[i]!;
    }
    this.times = times;
    this.values = values;
    this.statuses = statuses;
    this.head = 0;
  }
}

/** The per-node HistoryRead handlers installHistoricalDataNode puts on a variable. */
const HANDLERS = [
  '_historyRead',
  '_historyReadRawModify',
  '_historyReadModify',
  '_historyReadRaw',
  '_historyReadRawAsync',
  '_historyPush',
] as const;

/**
 * Makes variables HistoricalDataNodes (Historizing = true, AccessLevel HistoryRead, a "HA
 * Configuration" object) whose HistoryRead answers from a RingHistorian.
 *
 * node-opcua's installHistoricalDataNode instantiates a HistoricalDataConfiguration object per
 * variable, which takes 4-12 ms each here: a second per 150 tags, minutes for a bulk asset. So only
 * the first variable goes through it; the others get the same handlers (node-opcua's own functions,
 * taken from that first variable; they work on `this` and the `varHistorian` each variable carries)
 * and a HasHistoricalConfiguration reference to the same "HA Configuration" object, which OPC 10000-11
 * allows: every one of them is configured alike. The HistoryRead tests cover both kinds.
 */
export class Historizer {
  private template: UAVariable | null = null;

  /** Variables historized so far. */
  count = 0;

  historize(variable: UAVariable, capacity: number): RingHistorian {
    const historian = new RingHistorian(capacity);
    this.count++;
    if (!this.template) {
      variable.addressSpace.installHistoricalDataNode(variable, { historian });
      this.template = variable;
      return historian;
    }
    const from = this.template as unknown as Record<string, unknown>;
    const to = variable as unknown as Record<string, unknown>;
    for (const name of HANDLERS) {
      if (typeof from[name] !== 'function') throw new Error(`node-opcua no longer installs ${name}`);
      to[name] = from[name];
    }
    to.varHistorian = historian;
    to.$historicalDataConfiguration = from.$historicalDataConfiguration;
    variable.historizing = true;
    variable.accessLevel |= AccessLevelFlag.CurrentRead | AccessLevelFlag.HistoryRead;
    if (variable.userAccessLevel !== undefined) {
      variable.userAccessLevel |= AccessLevelFlag.CurrentRead | AccessLevelFlag.HistoryRead;
    }
    const configuration = from.$historicalDataConfiguration as { nodeId: NodeId } | undefined;
    if (!configuration) throw new Error('node-opcua no longer keeps $historicalDataConfiguration');
    variable.addReference({
      referenceType: 'HasHistoricalConfiguration',
      isForward: true,
      nodeId: configuration.nodeId,
    });
    variable.on('value_changed', (dataValue: DataValue) => void historian.push(dataValue));
    return historian;
  }
}
