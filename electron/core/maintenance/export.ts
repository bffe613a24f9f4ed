import type { WorkOrder } from './schemas';

export interface ExportFile {
  filename: string;
  contentType: string;
  content: string;
}

const COLUMNS: { header: string; value: (w: WorkOrder) => string | number }[] = [
  { header: 'id', value: (w) => w.id },
  { header: 'asset_id', value: (w) => w.assetId },
  { header: 'status', value: (w) => w.status },
  { header: 'urgency', value: (w) => w.urgency },
  { header: 'due_date', value: (w) => new Date(w.dueDate).toISOString() },
  { header: 'title', value: (w) => w.title },
  { header: 'suggested_action', value: (w) => w.suggestedAction },
  { header: 'description', value: (w) => w.description },
  { header: 'recommendation_id', value: (w) => w.recommendationId },
  { header: 'created_by', value: (w) => w.createdBy },
  { header: 'created_at', value: (w) => new Date(w.createdAt).toISOString() },
  { header: 'updated_at', value: (w) => new Date(w.updatedAt).toISOString() },
  { header: 'correlation_id', value: (w) => w.correlationId },
];

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled).
 * Text starting with = + - @ or a tab / CR is prefixed with ' so a spreadsheet does not run it as a
 * formula (OWASP "CSV Injection").
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function workOrdersCsv(workOrders: readonly WorkOrder[]): string {
  const lines = [COLUMNS.map((c) => c.header).join(',')];
  for (const w of workOrders) lines.push(COLUMNS.map((c) => csvField(c.value(w))).join(','));
  // RFC 4180 line breaks are CRLF.
  return `${lines.join('\r\n')}\r\n`;
}

export function exportWorkOrders(
  workOrders: readonly WorkOrder[],
  format: 'csv' | 'json',
  at: number,
): ExportFile {
  const stamp = new Date(at).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  if (format === 'csv') {
    return {
      filename: `vigil-work-orders-${stamp}.csv`,
      contentType: 'text/csv; charset=utf-8',
      content: workOrdersCsv(workOrders),
    };
  }
  return {
    filename: `vigil-work-orders-${stamp}.json`,
    contentType: 'application/json',
    content: `${JSON.stringify({ exportedAt: new Date(at).toISOString(), workOrders }, null, 2)}\n`,
  };
}
