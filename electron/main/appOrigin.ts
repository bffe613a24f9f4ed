/**
 * Whether a URL belongs to the app's own pages: same scheme and host (with port) as the URL
 * the app window loads. Compared by parts because `URL.origin` is "null" for custom schemes
 * such as vigil:, in Node as in the WHATWG spec.
 */
export function createAppUrlMatcher(appUrl: string): (url: string) => boolean {
  const app = new URL(appUrl);
  return (url) => {
    let candidate: URL;
    try {
      candidate = new URL(url);
    } catch {
      return false;
    }
    return candidate.protocol === app.protocol && candidate.host === app.host && candidate.host !== '';
  };
}
