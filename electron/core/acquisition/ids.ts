/** Turns an OPC UA browse name into a stable, URL-safe id segment ("Engine 1" -> "engine-1"). */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'unnamed';
}
