import {
  AttributeIds,
  DataType,
  Variant,
  VariantArrayType,
  resolveNodeId,
  type Argument,
  type ClientSession,
} from 'node-opcua';

/** A value as it arrives through the API (JSON). */
export type PlainValue = number | boolean | string | (number | boolean | string)[];

export class OperationError extends Error {
  override name = 'OperationError';
}

const INTEGER_RANGES: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
  [DataType.Int64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [DataType.UInt64]: [0, Number.MAX_SAFE_INTEGER],
};

/** A Variant of `dataType` from a JSON value, or a clear error naming what does not fit. */
export function toVariant(value: PlainValue, dataType: DataType, what: string): Variant {
  if (Array.isArray(value)) {
    const elements = value.map((v, i) => scalarFor(v, dataType, `${what}[${i}]`));
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value: elements });
  }
  // Explicit: node-opcua cannot tell a 64-bit [high, low] scalar from a two-element array.
  return new Variant({
    dataType,
    arrayType: VariantArrayType.Scalar,
    value: scalarFor(value, dataType, what),
  });
}

function scalarFor(value: number | boolean | string, dataType: DataType, what: string): unknown {
  const type = DataType[dataType] ?? String(dataType);
  const mismatch = () =>
    new OperationError(`${what}: ${JSON.stringify(value)} does not fit data type ${type}`);
  switch (dataType) {
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    case DataType.Float:
    case DataType.Double:
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch();
      return value;
    case DataType.String:
      if (typeof value !== 'string') throw mismatch();
      return value;
    default: {
      const range = INTEGER_RANGES[dataType];
      if (!range) throw new OperationError(`${what}: data type ${type} cannot be written from Vigil`);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1])
        throw mismatch();
      if (dataType === DataType.Int64 || dataType === DataType.UInt64) {
        // node-opcua takes 64-bit integers as [high, low] 32-bit words.
        const high = Math.floor(value / 4294967296);
        return [high, value - high * 4294967296];
      }
      return value;
    }
  }
}

/** Writes one variable's value with the data type the server declares for it. */
export async function writeValue(session: ClientSession, nodeId: string, value: PlainValue): Promise<void> {
  const node = resolveNodeId(nodeId);
  let dataType: DataType;
  try {
    dataType = await session.getBuiltInDataType(node);
  } catch (err) {
    throw new OperationError(`Cannot write ${nodeId}: ${(err as Error).message.split('\n')[0]}`);
  }
  const variant = toVariant(value, dataType, `Value for ${nodeId}`);
  const status = await session.write({
    nodeId: node,
    attributeId: AttributeIds.Value,
    value: { value: variant },
  });
  if (status.isNotGood())
    throw new OperationError(`The server refused the write to ${nodeId}: ${status.name}`);
}

export interface MethodResult {
  outputArguments: unknown[];
}

/** Calls a method, converting each argument to the type the method declares. */
export async function callMethod(
  session: ClientSession,
  objectId: string,
  methodId: string,
  inputArguments: readonly PlainValue[],
): Promise<MethodResult> {
  let definition: { inputArguments: Argument[] };
  try {
    definition = await session.getArgumentDefinition(resolveNodeId(methodId));
  } catch (err) {
    throw new OperationError(`Cannot call ${methodId}: ${(err as Error).message.split('\n')[0]}`);
  }
  const declared = definition.inputArguments ?? [];
  if (declared.length !== inputArguments.length) {
    const names = declared.map((a) => a.name).join(', ');
    throw new OperationError(
      `${methodId} takes ${declared.length} argument${declared.length === 1 ? '' : 's'} (${names || 'none'}), got ${inputArguments.length}`,
    );
  }
  const variants = declared.map((arg, i) => {
    const typeId = arg.dataType;
    if (typeId.namespace !== 0 || typeof typeId.value !== 'number' || !DataType[typeId.value]) {
      throw new OperationError(
        `Argument ${arg.name} of ${methodId} has a data type (${typeId.toString()}) Vigil cannot send`,
      );
    }
    return toVariant(inputArguments[i]!, typeId.value as DataType, `Argument ${arg.name ?? i}`);
  });
  const result = await session.call({
    objectId: resolveNodeId(objectId),
    methodId: resolveNodeId(methodId),
    inputArguments: variants,
  });
  if (result.statusCode.isNotGood()) {
    const argErrors = (result.inputArgumentResults ?? [])
      .map((s, i) => (s.isNotGood() ? `${declared[i]?.name ?? i}: ${s.name}` : null))
      .filter(Boolean);
    throw new OperationError(
      `The server refused the call of ${methodId}: ${result.statusCode.name}${argErrors.length ? ` (${argErrors.join(', ')})` : ''}`,
    );
  }
  return { outputArguments: (result.outputArguments ?? []).map((v) => plain(v.value)) };
}

function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Date) return value.getTime();
  if (value && typeof value === 'object' && 'toString' in value && !Array.isArray(value))
    return String(value);
  return value;
}
