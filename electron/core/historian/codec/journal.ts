import { ByteReader, ByteWriter, CorruptBlobError } from './bytes';
import { decodeChunk, encodeChunk, type SampleColumns } from './chunk';

/**
 * A journal row: the samples of many slow tags from one flush, in one BLOB, so a flush costs
 * one row instead of one row (and one scattered index update) per tag.
 *   u8 version | uvarint entries | per entry: uvarint tag id, uvarint byte length, raw chunk
 * The byte length lets a reader skip the entries of other tags without decoding them.
 */

const FORMAT_VERSION = 1;

export interface JournalEntry {
  tag: number;
  cols: SampleColumns;
  from: number;
  to: number;
}

export function encodeJournal(entries: readonly JournalEntry[]): Buffer {
  const chunkWriter = new ByteWriter(4096);
  const out = new ByteWriter(4096);
  out.u8(FORMAT_VERSION);
  out.uvarint(entries.length);
  for (const e of entries) {
    const chunk = encodeChunk(chunkWriter, e.cols, e.from, e.to);
    out.uvarint(e.tag);
    out.uvarint(chunk.length);
    out.bytes(chunk);
  }
  return out.toBuffer();
}

/** Calls `visit` for every entry (all tags, or only `onlyTag`), in stored order. */
export function readJournal(
  data: Uint8Array,
  visit: (tag: number, cols: SampleColumns) => void,
  onlyTag?: number,
): void {
  const r = new ByteReader(data);
  const version = r.u8();
  if (version !== FORMAT_VERSION) throw new CorruptBlobError(`unknown journal format ${version}`);
  const entries = r.uvarint();
  for (let k = 0; k < entries; k++) {
    const tag = r.uvarint();
    const length = r.uvarint();
    const start = r.pos;
    if (length > r.remaining) throw new CorruptBlobError('journal entry runs past the end of data');
    r.pos += length;
    if (onlyTag !== undefined && tag !== onlyTag) continue;
    visit(tag, decodeChunk(data.subarray(start, start + length)));
  }
  if (r.remaining !== 0) throw new CorruptBlobError(`${r.remaining} trailing bytes in journal row`);
}
