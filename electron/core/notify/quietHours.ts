import type { AlarmPriority } from '../alarms/schemas';
import type { QuietHours } from './schemas';

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Weekday (0 = Sunday) and minute of the day at `at` in the time zone (the workstation's when undefined). */
export function localTime(at: number, timeZone?: string): { weekday: number; minute: number } {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday: WEEKDAYS.indexOf(get('weekday')),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * True when `at` falls in the quiet window. A window may cross midnight (22:00-06:00); `days` names
 * the weekdays on which the window starts, so Friday 22:00-06:00 covers Saturday 05:00.
 */
export function inQuietHours(quiet: QuietHours, at: number): boolean {
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return false;
  const { weekday, minute } = localTime(at, quiet.timeZone);
  const startedOn = (day: number) => quiet.days.includes((day + 7) % 7);
  if (start < end) return minute >= start && minute < end && startedOn(weekday);
  if (minute >= start) return startedOn(weekday);
  if (minute < end) return startedOn(weekday - 1);
  return false;
}

/** Whether a message of this priority is held back by the quiet hours at `at`. */
export function quietFor(quiet: QuietHours | undefined, priority: AlarmPriority, at: number): boolean {
  return quiet !== undefined && !quiet.allowPriorities.includes(priority) && inQuietHours(quiet, at);
}
