import type { ConsoleNotification, DesktopPermission } from './toastStore';

/**
 * The browser side of notifications: the Notification API and a WebAudio beep. Permission is only
 * ever asked from a click (browsers ignore or penalise a request on page load), and the audio
 * context is created on the first user gesture (autoplay policy: a context made earlier starts
 * suspended and logs a warning).
 */

export interface DesktopNotifier {
  permission(): DesktopPermission;
  /** Call from a click handler only. */
  request(): Promise<DesktopPermission>;
  show(notification: ConsoleNotification, onClick: () => void): void;
}

export function browserDesktopNotifier(
  win: Window & { Notification?: typeof Notification } = window,
): DesktopNotifier | null {
  if (typeof win.Notification !== 'function') return null;
  const N = win.Notification;
  return {
    permission: () => N.permission,
    request: () => N.requestPermission(),
    show(notification, onClick) {
      if (N.permission !== 'granted') return;
      const note = new N(notification.title, {
        body: notification.body,
        // One notification per alarm on screen: a newer one replaces it.
        tag: notification.alarmId ?? notification.id,
        requireInteraction: notification.priority === 'critical',
        // The console plays its own beep for the notifications that ask for sound.
        silent: true,
      });
      note.onclick = () => {
        win.focus();
        onClick();
        note.close();
      };
    },
  };
}

export interface Beeper {
  /** Creates or resumes the audio context; call from a user gesture. */
  arm(): void;
  /** Two short tones; false when audio is not armed yet (no gesture so far) or unavailable. */
  beep(): boolean;
  dispose(): void;
}

export function createBeeper(win: Window = window): Beeper {
  let ctx: AudioContext | null = null;
  const Ctor = (win as Window & { AudioContext?: typeof AudioContext }).AudioContext;
  return {
    arm() {
      if (!Ctor) return;
      ctx ??= new Ctor();
      if (ctx.state === 'suspended') void ctx.resume();
    },
    beep() {
      if (!ctx || ctx.state !== 'running') return false;
      const t0 = ctx.currentTime;
      for (const start of [0, 0.22]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = 880;
        // A short envelope avoids clicks at the start and end of each tone.
        gain.gain.setValueAtTime(0, t0 + start);
        gain.gain.linearRampToValueAtTime(0.15, t0 + start + 0.01);
        gain.gain.linearRampToValueAtTime(0, t0 + start + 0.15);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0 + start);
        osc.stop(t0 + start + 0.16);
      }
      return true;
    },
    dispose() {
      void ctx?.close();
      ctx = null;
    },
  };
}
