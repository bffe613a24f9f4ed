import { createTransport, type Transporter } from 'nodemailer';
import { slackPayload } from './messages';
import type {
  ChannelConfig,
  DesktopNotification,
  EmailChannelConfig,
  NotificationMessage,
  WebhookChannelConfig,
} from './schemas';

/** One way to reach people. `send` resolves when the far side accepted the message. */
export interface NotificationChannel {
  readonly id: string;
  readonly type: ChannelConfig['type'];
  send(message: NotificationMessage): Promise<void>;
  close?(): Promise<void> | void;
}

/** A failed send: `permanent` ones are not retried (a 400 from a webhook, a 550 from SMTP). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The receiver asked us to wait this long (HTTP Retry-After). */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * Desktop notifications are not sent from the core (it has no windows): the channel hands them to
 * the host, which shows them (Electron Notification) or pushes them to the browser (headless).
 */
export class DesktopChannel implements NotificationChannel {
  readonly type = 'desktop' as const;

  constructor(
    readonly id: string,
    private readonly show: (notification: DesktopNotification) => void,
  ) {}

  async send(message: NotificationMessage): Promise<void> {
    const { fields: _fields, ...notification } = message;
    this.show(notification);
  }
}

/** Posts Slack-compatible JSON to an incoming-webhook URL. */
export class WebhookChannel implements NotificationChannel {
  readonly type = 'webhook' as const;
  readonly id: string;

  constructor(private readonly config: WebhookChannelConfig) {
    this.id = config.id;
  }

  async send(message: NotificationMessage): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.config.headers },
        body: JSON.stringify(slackPayload(message)),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      // Network errors and timeouts are worth retrying.
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new DeliveryError(`${err instanceof Error ? err.message : String(err)}${cause}`, false);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    const status = response.status;
    // 4xx means the request itself is wrong (bad URL, revoked hook, invalid payload): retrying will
    // not help. 408 (timeout), 425 (too early) and 429 (rate limited) are the exceptions.
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
    throw new DeliveryError(
      `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      permanent,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
}

/** RFC 9110 10.2.3: Retry-After is either delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

/** Sends e-mail over SMTP with nodemailer. */
export class EmailChannel implements NotificationChannel {
  readonly type = 'email' as const;
  readonly id: string;
  private readonly transporter: Transporter;

  constructor(private readonly config: EmailChannelConfig) {
    this.id = config.id;
    this.transporter = createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTLS,
      auth: config.auth,
      tls: { rejectUnauthorized: config.rejectUnauthorized },
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
    });
  }

  async send(message: NotificationMessage): Promise<void> {
    try {
      await this.transporter.sendMail({
        from: this.config.from,
        to: this.config.to,
        subject: `[Vigil] ${message.title}`,
        text: `${message.body}\n\n-- \nSent by Vigil at ${new Date(message.at).toISOString()}\n`,
        headers: {
          'X-Vigil-Correlation-Id': message.correlationId,
          'X-Vigil-Priority': message.priority,
          ...(message.alarmId ? { 'X-Vigil-Alarm-Id': message.alarmId } : {}),
        },
        // Critical alarms are flagged urgent for mail clients that show it.
        priority: message.priority === 'critical' ? 'high' : 'normal',
      });
    } catch (err) {
      // SMTP 5xx replies are permanent (RFC 5321 4.2.1); 4xx and connection problems are transient.
      const code = (err as { responseCode?: number }).responseCode;
      const permanent = typeof code === 'number' && code >= 500 && code < 600;
      throw new DeliveryError(err instanceof Error ? err.message : String(err), permanent);
    }
  }

  close(): void {
    this.transporter.close();
  }
}

/** Builds the channels of the configuration. */
export function createChannels(
  configs: readonly ChannelConfig[],
  showDesktop: (notification: DesktopNotification) => void,
): Map<string, NotificationChannel> {
  const channels = new Map<string, NotificationChannel>();
  for (const c of configs) {
    const channel =
      c.type === 'desktop'
        ? new DesktopChannel(c.id, showDesktop)
        : c.type === 'webhook'
          ? new WebhookChannel(c)
          : new EmailChannel(c);
    channels.set(c.id, channel);
  }
  return channels;
}
