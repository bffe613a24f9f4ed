export interface PlanLimits {
  /** Vigil's own cap per subscription (configurable, default 1000). */
  maxItemsPerSubscription: number;
  /** Subscriptions this session may still create; 0 = the server announced no limit. */
  maxSubscriptions: number;
  /** Items per CreateMonitoredItems call (the server's MaxMonitoredItemsPerCall). */
  maxItemsPerCall: number;
  /** The server's MaxMonitoredItemsPerSubscription; 0 = not announced. */
  serverMaxItemsPerSubscription: number;
}

export interface PlannedSubscription {
  /** CreateMonitoredItems calls, each a list of item indices sharing one set of monitoring parameters. */
  calls: number[][];
  size: number;
}

export interface SubscriptionPlan {
  subscriptions: PlannedSubscription[];
}

/**
 * Spreads monitored items over subscriptions and CreateMonitoredItems calls. One subscription per
 * ~1,000 items keeps each Publish response small, so an overloaded server delays one slice of the tags
 * instead of all of them; the number of subscriptions never exceeds what the server allows per session
 * (items per subscription grow instead); every call stays within MaxMonitoredItemsPerCall; and items
 * of one call share their monitoring parameters (`keys[i]` names item i's parameters), because a
 * monitored-item group carries one set of parameters.
 */
export function planSubscriptions(keys: readonly string[], limits: PlanLimits): SubscriptionPlan {
  const n = keys.length;
  if (n === 0) return { subscriptions: [] };
  const serverCap =
    limits.serverMaxItemsPerSubscription > 0 ? limits.serverMaxItemsPerSubscription : Infinity;
  const perSubscription = Math.max(1, Math.min(limits.maxItemsPerSubscription, serverCap));
  let count = Math.ceil(n / perSubscription);
  if (limits.maxSubscriptions > 0 && count > limits.maxSubscriptions) {
    count = limits.maxSubscriptions;
    if (Math.ceil(n / count) > serverCap) {
      throw new Error(
        `${n} monitored items do not fit in ${count} subscriptions of at most ${serverCap} items, the server's limits`,
      );
    }
  }
  // Items with equal parameters next to each other, so they end up in as few calls as possible.
  const order = keys
    .map((_, i) => i)
    .sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
  const perCall = Math.max(1, limits.maxItemsPerCall);
  const subscriptions: PlannedSubscription[] = [];
  for (let s = 0; s < count; s++) {
    // Balanced: sizes differ by at most one item.
    const from = Math.floor((s * n) / count);
    const to = Math.floor(((s + 1) * n) / count);
    const members = order.slice(from, to);
    const calls: number[][] = [];
    let current: number[] = [];
    for (const index of members) {
      const sameKey = current.length > 0 && keys[current[0]!] === keys[index];
      if (current.length > 0 && (!sameKey || current.length >= perCall)) {
        calls.push(current);
        current = [];
      }
      current.push(index);
    }
    if (current.length) calls.push(current);
    subscriptions.push({ calls, size: members.length });
  }
  return { subscriptions };
}
