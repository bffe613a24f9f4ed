import { describe, expect, it } from 'vitest';
import { movedFocus, tabbableRow } from './gridKeys';

describe('row focus in keyboard grids', () => {
  const order = Array.from({ length: 25 }, (_, i) => `r${i}`);

  it('moves by one, to the ends and by a page, stopping at the edges', () => {
    expect(movedFocus(order, 'r3', 'ArrowDown')).toBe('r4');
    expect(movedFocus(order, 'r0', 'ArrowUp')).toBe('r0');
    expect(movedFocus(order, 'r3', 'End')).toBe('r24');
    expect(movedFocus(order, 'r20', 'Home')).toBe('r0');
    expect(movedFocus(order, 'r20', 'PageDown')).toBe('r24');
    expect(movedFocus(order, 'r12', 'PageUp')).toBe('r2');
  });

  it('leaves other keys alone and has nowhere to go in an empty list', () => {
    expect(movedFocus(order, 'r3', 'Enter')).toBeUndefined();
    expect(movedFocus([], null, 'ArrowDown')).toBeNull();
  });

  it('keeps the tab stop on the focused row while it is listed, else on the first', () => {
    expect(tabbableRow(order, 'r7')).toBe('r7');
    expect(tabbableRow(order, 'gone')).toBe('r0');
    expect(tabbableRow([], null)).toBeNull();
  });
});
