import {
  ConditionInfoImpl,
  DataType,
  type DataValue,
  type StatusCode,
  StatusCodes,
  type AddressSpace,
  type InstantiateExclusiveLimitAlarmOptions,
  type Namespace,
  type UAExclusiveLimitAlarmEx,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { BuiltAsset } from './addressSpace';
import { t50Limits, vibrationRmsLimits, type HighLimits } from './alarmLimits';
import { BEARING_TAGS } from './plantModel';
import type { EngineRun } from './playbackData';
import type { SimulatorAlarmInfo } from './types';
import { UNITS } from './units';
import type { VibrationPlayer } from './vibration';

/** SubscribeToEvents (OPC 10000-3, 5.4: EventNotifier bit 0). */
const SUBSCRIBE_TO_EVENTS = 1;

/** Severity by limit state (OPC UA severities run 1-1000). */
const SEVERITY = { High: 500, HighHigh: 800, normal: 100 } as const;

/**
 * Earlier states kept per alarm while waiting for an acknowledgement. A chattering input that no
 * client acknowledges would otherwise add a branch per return to normal, without end; past this
 * many, the simulator acknowledges (and confirms) the oldest itself, with a comment saying so.
 */
export const MAX_BRANCHES = 50;

/** Methods of node-opcua's limit alarm implementation that the input handling below wraps. */
interface LimitAlarmInternals {
  _onInputDataValueChange(dataValue: DataValue): void;
  _signalNewCondition(stateName: string | null, isActive: boolean, value: string): void;
}

export interface AlarmTarget {
  /** e.g. "Engine 1 T50 high". */
  name: string;
  /** ConditionName and last segment of the node id, e.g. "T50High". */
  conditionName: string;
  /** Node id string in the simulator's namespace, without "ns=", e.g. "DemoPlant.TurbofanTestCell.Engine1.T50High". */
  nodeKey: string;
  /** The asset the alarm belongs to: the SourceNode of its events. */
  source: UAObject;
  /** The tag whose value the alarm compares with its limits. */
  input: UAVariable;
  inputNodeId: string;
  /** What the value is, for messages: "T50 (LPT outlet temperature)". */
  inputLabel: string;
  unit: string;
  limits: HighLimits;
}

interface InstalledAlarm {
  target: AlarmTarget;
  alarm: UAExclusiveLimitAlarmEx;
  conditionNodeId: string;
}

type TwoStateVariable = UAExclusiveLimitAlarmEx['activeState'];

/** A TwoStateVariable's boolean Id, or `fallback` while it has none (ConfirmedState before any alarm). */
function twoState(variable: TwoStateVariable | undefined, fallback: boolean): boolean {
  const dataValue = variable?.id.readValue();
  return dataValue?.statusCode.isGood() && dataValue.value.dataType === DataType.Boolean
    ? (dataValue.value.value as boolean)
    : fallback;
}

function format(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

/**
 * Adjusts node-opcua's ExclusiveLimitAlarm to what a client of a real server sees: a plain
 * SourceName, messages and severities by limit state, Retain kept while active, an input with a
 * non-Good status reported once (with the status as the condition's Quality), and a bounded number
 * of branches.
 */
function adapt(alarm: UAExclusiveLimitAlarmEx, target: AlarmTarget, onError: (err: unknown) => void): void {
  // node-opcua fills SourceName with the qualified browse name ("1:Engine 1"); operators read "Engine 1".
  alarm.sourceName.setValueFromSource({ dataType: DataType.String, value: target.source.browseName.name });
  // node-opcua clears Retain when a branch is confirmed, even the current branch of an alarm
  // that is still active; OPC 10000-9 5.5.2 keeps an active condition of interest (Retain true),
  // and ConditionRefresh sends only retained conditions, so it is set back before the event goes out.
  const raiseNewBranchState = alarm.raiseNewBranchState.bind(alarm);
  alarm.raiseNewBranchState = (branch) => {
    if (branch === alarm.currentBranch() && twoState(alarm.activeState, false)) branch.setRetain(true);
    raiseNewBranchState(branch);
  };
  let inputStatus: StatusCode = StatusCodes.Good;
  const asset = target.source.browseName.name;
  alarm.calculateConditionInfo = (state, _isActive, value) => {
    const limit = state === 'HighHigh' ? target.limits.highHigh : target.limits.high;
    if (state === 'High' || state === 'HighHigh') {
      return new ConditionInfoImpl({
        message: `${asset} ${target.inputLabel} ${value} ${target.unit} above ${state} limit ${format(limit)} ${target.unit}`,
        severity: SEVERITY[state],
        quality: inputStatus,
        retain: true,
      });
    }
    return new ConditionInfoImpl({
      message: inputStatus.isGood()
        ? `${asset} ${target.inputLabel} within limits`
        : `${asset} ${target.inputLabel} cannot be evaluated: input ${inputStatus.name}`,
      severity: SEVERITY.normal,
      quality: inputStatus,
      retain: true,
    });
  };
  const internals = alarm as unknown as LimitAlarmInternals;
  const evaluate = internals._onInputDataValueChange.bind(alarm);
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      // Thrown inside the input variable's value_changed event, an error would keep the
      // listeners after this one (monitored items) from hearing of the value.
      onError(err);
    }
  };
  // node-opcua re-signals a non-Good input at every value and then throws because nothing
  // changed; a quality change is signalled once here (with the status as the condition's
  // Quality), and a return to Good is signalled even when the limit state stays normal.
  internals._onInputDataValueChange = (dataValue: DataValue) => {
    const status = dataValue.statusCode;
    const qualityChanged = status.value !== inputStatus.value;
    inputStatus = status;
    if (!status.isGood()) {
      if (qualityChanged) safely(() => evaluate(dataValue));
    } else {
      safely(() => evaluate(dataValue));
      if (qualityChanged && alarm.limitState.getCurrentState() === null) {
        safely(() => internals._signalNewCondition(null, false, 'input Good'));
      }
    }
    for (let count = alarm.getBranchCount(); count > MAX_BRANCHES;) {
      const oldest = alarm.getBranches()[0]!;
      const comment = `Acknowledged by the simulator: more than ${MAX_BRANCHES} earlier states were waiting`;
      safely(() => alarm.acknowledgeAndAutoConfirmBranch(oldest, comment));
      const after = alarm.getBranchCount();
      if (after >= count) break; // the branch was not released: do not spin
      count = after;
    }
  };
}

/**
 * Alarms & Conditions: installs the A&C service, makes each alarmed asset an event notifier and an
 * event source of the Server object (Server HasEventSource asset, asset HasCondition alarm) so that events reach a
 * client monitoring the Server and ConditionRefresh finds the conditions, and creates one
 * ExclusiveLimitAlarm (High, HighHigh; ConfirmedState and Confirm included) per target.
 *
 * The conditions are not components of the assets: a HasComponent would make them appear as
 * child objects to a client browsing the plant for tags. Clients find them through events,
 * ConditionRefresh, or the asset's HasCondition references.
 */
export function installAlarms(
  addressSpace: AddressSpace,
  namespace: Namespace,
  targets: readonly AlarmTarget[],
  onError: (err: unknown) => void,
): { info(): SimulatorAlarmInfo[] } {
  addressSpace.installAlarmsAndConditionsService();
  const server = addressSpace.rootFolder.objects.server;
  const notifiers = new Set<string>();
  const installed: InstalledAlarm[] = targets.map((target) => {
    const sourceKey = target.source.nodeId.toString();
    if (!notifiers.has(sourceKey)) {
      notifiers.add(sourceKey);
      target.source.setEventNotifier(SUBSCRIBE_TO_EVENTS);
      // HasEventSource rather than its subtype HasNotifier: node-opcua requires a condition source
      // to be the target of a HasEventSource itself. OPC 10000-9 links condition sources to the
      // Server Object through HasNotifier/HasEventSource, with the Server Object as the root.
      server.addReference({ referenceType: 'HasEventSource', isForward: true, nodeId: target.source.nodeId });
    }
    // OPC 10000-9 makes every limit optional (at least one); node-opcua's option type insists on a
    // low limit, which a temperature or vibration alarm here does not have.
    const options = {
      browseName: target.conditionName,
      nodeId: `s=${target.nodeKey}`,
      conditionName: target.conditionName,
      conditionSource: target.source,
      inputNode: target.input,
      highLimit: target.limits.high,
      highHighLimit: target.limits.highHigh,
      optionals: ['ConfirmedState', 'Confirm'],
    } as unknown as InstantiateExclusiveLimitAlarmOptions;
    const alarm = namespace.instantiateExclusiveLimitAlarm('ExclusiveLimitAlarmType', options);
    adapt(alarm, target, onError);
    return { target, alarm, conditionNodeId: alarm.nodeId.toString() };
  });

  return {
    info: () =>
      installed.map(({ target, alarm, conditionNodeId }): SimulatorAlarmInfo => {
        const message = alarm.message.readValue().value.value as { text?: string } | null;
        return {
          name: target.name,
          conditionName: target.conditionName,
          conditionNodeId,
          sourceNodeId: target.source.nodeId.toString(),
          inputNodeId: target.inputNodeId,
          type: 'ExclusiveLimitAlarmType',
          limits: { high: target.limits.high, highHigh: target.limits.highHigh },
          basis: target.limits.basis,
          enabled: alarm.getEnabledState(),
          active: twoState(alarm.activeState, false),
          acked: twoState(alarm.ackedState, true),
          confirmed: twoState(alarm.confirmedState, true),
          limitState: alarm.limitState.getCurrentState(),
          severity: alarm.currentBranch().getSeverity(),
          message: message?.text ?? '',
          retain: alarm.currentBranch().getRetain(),
          branches: alarm.getBranchCount(),
        };
      }),
  };
}

/**
 * The plant's alarms: T50 High/HighHigh on every engine (limits from the engines' healthy baseline)
 * and vibration RMS High/HighHigh on the bearing (limits from its normal recording).
 */
export function plantAlarmTargets(
  assets: readonly BuiltAsset[],
  engines: readonly EngineRun[],
  player: VibrationPlayer | undefined,
): AlarmTarget[] {
  const targets: AlarmTarget[] = [];
  const t50 = t50Limits(engines);
  const normal = player?.recordings.find((r) => r.label === 'N');
  for (const asset of assets) {
    const index = (name: string) => asset.model.tags.findIndex((t) => t.browseName === name);
    /** A limit alarm on the asset's tag `at`, named "<asset> <label>". */
    const target = (
      at: number,
      conditionName: string,
      label: string,
      inputLabel: string,
      limits: HighLimits,
    ): AlarmTarget => ({
      name: `${asset.model.name} ${label}`,
      conditionName,
      nodeKey: `${asset.path}.${conditionName}`,
      source: asset.object,
      input: asset.variables[at]!,
      inputNodeId: asset.nodeIds[at]!,
      inputLabel,
      unit: UNITS[asset.model.tags[at]!.unit].symbol,
      limits,
    });
    const t50Index = index('T50');
    if (asset.model.kind === 'playback' && t50Index >= 0) {
      targets.push(target(t50Index, 'T50High', 'T50 high', 'T50 (LPT outlet temperature)', t50));
    }
    const rmsIndex = index(BEARING_TAGS.rms);
    if (asset.model.kind === 'vibration' && rmsIndex >= 0 && player && normal) {
      const limits = vibrationRmsLimits(normal.samples, player.blockSize);
      targets.push(target(rmsIndex, 'VibrationHigh', 'vibration high', 'vibration RMS', limits));
    }
  }
  return targets;
}
