import { useMemo } from 'react';
import { tagsByNode, visibleRows, type BrowseRow } from './browseModel';
import { useBrowse } from './context';

/** The tree's rows and the configured tags by node, derived from the store (memoised on its fields). */
export function useBrowseRows(): { rows: BrowseRow[]; byNode: ReturnType<typeof tagsByNode> } {
  const connectionId = useBrowse((s) => s.connectionId);
  const lists = useBrowse((s) => s.lists);
  const expanded = useBrowse((s) => s.expanded);
  const selection = useBrowse((s) => s.selection);
  const filter = useBrowse((s) => s.filter);
  const tags = useBrowse((s) => s.catalog.tags);
  const byNode = useMemo(() => tagsByNode(tags, connectionId), [tags, connectionId]);
  const rows = useMemo(
    () => visibleRows({ lists, expanded, selected: selection, tagsByNode: byNode, filter }),
    [lists, expanded, selection, byNode, filter],
  );
  return { rows, byNode };
}
