import { useCallback, useEffect, useRef, type FocusEvent, type RefObject } from 'react';

/**
 * DOM focus for a grid or tree with one tabbable row (roving tabindex): when the row focus moves,
 * the element matching `rowSelector` takes the DOM focus, but only while the container has it
 * (never stolen from elsewhere). A focused row that is removed or re-created leaves the focus on
 * <body>; the container takes it back. `refresh` re-runs this when rows come and go without the
 * focused row changing. Spread the returned handlers on the container.
 */
export function useRovingFocus(
  containerRef: RefObject<HTMLElement | null>,
  rowSelector: string | null,
  refresh?: unknown,
  options: { scroll?: boolean } = {},
): { onFocus: () => void; onBlur: (event: FocusEvent<HTMLElement>) => void } {
  const hadFocus = useRef(false);
  const scroll = options.scroll ?? false;

  useEffect(() => {
    const container = containerRef.current;
    if (!container || !rowSelector) return;
    const active = document.activeElement;
    const lost = hadFocus.current && (active === null || active === document.body);
    if (!container.contains(active) && !lost) return;
    const row = container.querySelector<HTMLElement>(rowSelector);
    if (!row || row === active) return;
    row.focus();
    if (scroll) row.scrollIntoView({ block: 'nearest' });
  }, [containerRef, rowSelector, refresh, scroll]);

  const onFocus = useCallback(() => {
    hadFocus.current = true;
  }, []);
  // Focus that left for another element, or for nothing while its row is still there, was moved by
  // the operator; a row removed from under the keyboard keeps the claim.
  const onBlur = useCallback((event: FocusEvent<HTMLElement>) => {
    const to = event.relatedTarget as Node | null;
    if (to ? !event.currentTarget.contains(to) : event.target.isConnected) hadFocus.current = false;
  }, []);
  return { onFocus, onBlur };
}

/** The selector of a row by its data attribute value. */
export function rowWith(attribute: 'data-id' | 'data-key', value: string | null): string | null {
  return value === null ? null : `[${attribute}="${CSS.escape(value)}"]`;
}
