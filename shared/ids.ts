/**
 * Turns a name (an OPC UA browse name, an asset the operator names) into a stable, URL-safe id
 * segment ("Engine 1" -> "engine-1"). The core makes tag and asset ids with it and the console uses
 * it to show the ids a form will create, so both always agree.
 */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'unnamed';
}
