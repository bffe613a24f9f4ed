/** Texts shown to operators, shared by the engine and the alarm views. */

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

export function chatterSuggestion(windowMs: number, count: number): string {
  return `Chattering: ${count} activations within ${formatDuration(windowMs)}. Consider shelving it and reviewing its deadband and on-delay.`;
}
