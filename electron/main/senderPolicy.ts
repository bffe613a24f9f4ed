import type { WebContents, WebFrameMain } from 'electron';

/** What the relay needs to know about an IPC message's origin (IpcMainEvent and IpcMainInvokeEvent both fit). */
export interface IpcSender {
  sender: WebContents;
  senderFrame: WebFrameMain | null;
}

export interface SenderPolicy {
  /** True for the WebContents of a window this app created. */
  isAppWebContents(contents: WebContents): boolean;
  /** True for a URL of the app's own pages. */
  isAppUrl(url: string): boolean;
}

/**
 * Why an IPC message must be refused, or null when it comes from the main frame of an app
 * window showing an app page. Checking the frame (not just the WebContents) matters: an
 * iframe or a page navigated elsewhere runs in the same WebContents and still reaches the
 * preload's channels (Electron security checklist, "Validate the sender of all IPC messages").
 */
export function whyUntrusted(event: IpcSender, policy: SenderPolicy): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame no longer exists';
  if (frame.parent !== null) return `it came from a sub-frame (${frame.url})`;
  if (!policy.isAppWebContents(event.sender))
    return `it came from a window the app did not create (${frame.url})`;
  if (!policy.isAppUrl(frame.url)) return `it came from a page outside the app (${frame.url})`;
  return null;
}
