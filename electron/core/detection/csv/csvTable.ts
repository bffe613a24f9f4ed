import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { parseTimestamp } from './timestamps';
import { CellKind, parseCell } from './values';

/** A problem with the input file, located by its line (1 = header). */
export class CsvInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'CsvInputError';
  }
}

export interface CsvRow {
  cells: string[];
  /** Line number of the row in the file (1 = header). */
  line: number;
}

export interface CsvTable {
  file: string;
  header: string[];
  delimiter: ',' | ';';
  totalBytes: number;
  bytesRead(): number;
  /** The data rows, in file order, streamed; each has as many cells as the header. */
  rows(): AsyncGenerator<CsvRow>;
}

const FIRST_LINE_LIMIT = 1 << 20;

/**
 * Opens a CSV file for streaming: reads just enough to find the header line, picks the
 * delimiter from it (comma or semicolon, whichever separates more fields), then parses the
 * rest with csv-parse as it is read. Handles a UTF-8 BOM, CRLF and LF line ends, quoted
 * fields and blank lines. Errors name the file and the line.
 */
export async function openCsv(file: string): Promise<CsvTable> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new CsvInputError(file, 0, 'not a file');
    size = info.size;
  } catch (err) {
    if (err instanceof CsvInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new CsvInputError(
      file,
      0,
      code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(err)})`,
    );
  }
  const stream = createReadStream(file, { highWaterMark: 1 << 18 });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head: Buffer = Buffer.alloc(0);
  let firstLine: string | null;
  // Read until the first non-blank line is complete (or the file ends).
  for (;;) {
    firstLine = firstNonBlankLine(head, false);
    if (firstLine !== null || head.length >= FIRST_LINE_LIMIT) break;
    const next = await chunks.next();
    if (next.done) {
      firstLine = firstNonBlankLine(head, true);
      break;
    }
    head = head.length ? Buffer.concat([head, next.value]) : next.value;
  }
  if (firstLine === null) {
    stream.destroy();
    const tooLong = head.length >= FIRST_LINE_LIMIT;
    throw new CsvInputError(
      file,
      1,
      tooLong ? 'no line break in the first 1 MiB: not a CSV file?' : 'empty file: expected a header row',
    );
  }
  const delimiter = detectDelimiter(firstLine);

  const source = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  // pipeline() forwards a read error into the parser (so it surfaces where the rows are read)
  // and handles the premature close of stopping early; pipe() would leave both unhandled.
  pipeline(source, parser, () => {});
  const close = (): void => {
    parser.destroy();
    stream.destroy();
  };

  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  const first = await nextRecord(file, records).catch((err: unknown) => {
    close();
    throw err;
  });
  if (!first) {
    close();
    throw new CsvInputError(file, 1, 'empty file: expected a header row');
  }
  const header = first.record.map((h) => h.trim());
  try {
    checkHeader(file, first.info.lines, header);
  } catch (err) {
    close();
    throw err;
  }

  return {
    file,
    header,
    delimiter,
    totalBytes: size,
    bytesRead: () => stream.bytesRead,
    async *rows() {
      try {
        for (;;) {
          const next = await nextRecord(file, records);
          if (!next) return;
          const { record, info } = next;
          if (record.length !== header.length) {
            throw new CsvInputError(
              file,
              info.lines,
              `expected ${header.length} fields as in the header, found ${record.length} (delimiter "${delimiter}")`,
            );
          }
          yield { cells: record, line: info.lines };
        }
      } finally {
        close();
      }
    },
  };
}

async function nextRecord(
  file: string,
  records: AsyncIterator<{ record: string[]; info: { lines: number } }>,
): Promise<{ record: string[]; info: { lines: number } } | null> {
  try {
    const next = await records.next();
    return next.done ? null : next.value;
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new CsvInputError(file, e.lines ?? 0, `malformed CSV: ${e.message ?? String(err)}`);
  }
}

/** Comma or semicolon, whichever splits the header into more fields (outside quotes). */
export function detectDelimiter(line: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

function checkHeader(file: string, line: number, header: string[]): void {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '')
      throw new CsvInputError(file, line, `header field ${i + 1} is empty: every column needs a name`);
    if (seen.has(name)) throw new CsvInputError(file, line, `column "${name}" appears twice in the header`);
    seen.add(name);
  });
  // A first line made only of numbers and timestamps is data: the header is missing.
  const scratch = { value: 0 };
  const looksLikeData = header.every(
    (h) => parseCell(h, false, scratch) !== CellKind.Text || Number.isFinite(parseTimestamp(h)),
  );
  if (looksLikeData) {
    throw new CsvInputError(
      file,
      line,
      `no header row: the first line holds data ("${header.slice(0, 3).join('", "')}")`,
    );
  }
}

/** The first line with content (BOM and CR removed); null if none is complete yet. */
function firstNonBlankLine(head: Buffer, atEnd: boolean): string | null {
  const text = stripBom(head.toString('utf8'));
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end < 0) {
      const last = text.slice(start).replace(/\r$/, '');
      return atEnd && last.trim() !== '' ? last : null;
    }
    const line = text.slice(start, end).replace(/\r$/, '');
    if (line.trim() !== '') return line;
    start = end + 1;
  }
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
