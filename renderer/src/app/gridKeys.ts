/*
 * Row focus in the console's keyboard grids (alarm queue, connections, certificates), after the
 * WAI-ARIA grid pattern: arrows move one row, Home/End to the ends, PageUp/PageDown by a page.
 */

/** Rows PageUp / PageDown move. */
export const PAGE_ROWS = 10;

/** The row holding tabindex=0: the focused one while it is listed, else the first. */
export function tabbableRow(order: readonly string[], focusedId: string | null): string | null {
  return focusedId !== null && order.includes(focusedId) ? focusedId : (order[0] ?? null);
}

/**
 * Where a movement key takes the focus from row `current`: the id of the new row, null when the
 * list is empty, undefined when `key` is not a movement key.
 */
export function movedFocus(
  order: readonly string[],
  current: string | null,
  key: string,
): string | null | undefined {
  const at = current === null ? -1 : order.indexOf(current);
  const target =
    key === 'ArrowDown'
      ? at + 1
      : key === 'ArrowUp'
        ? at - 1
        : key === 'Home'
          ? 0
          : key === 'End'
            ? order.length - 1
            : key === 'PageDown'
              ? at + PAGE_ROWS
              : key === 'PageUp'
                ? at - PAGE_ROWS
                : undefined;
  if (target === undefined) return undefined;
  return order[Math.max(0, Math.min(order.length - 1, target))] ?? null;
}
