/**
 * What to do after a connection attempt failed:
 * backoff: try again soon (the server may come back);
 * slow: try again rarely (someone has to change something on the server, e.g. trust Vigil);
 * trust: wait for the operator's decision on the server certificate;
 * never: the configuration is wrong (password, security not offered); wait for a change.
 */
export type RetryPolicy = 'backoff' | 'slow' | 'trust' | 'never';

/** A failure with a message written for the operator, and whether retrying can help. */
export class ConnectionFailure extends Error {
  override name = 'ConnectionFailure';
  constructor(
    message: string,
    readonly retry: RetryPolicy,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}

/** The OPC UA status name in an error message, e.g. "BadUserAccessDenied". */
export function statusNameIn(err: unknown): string | null {
  const message = err instanceof Error ? err.message : String(err);
  return /\b(Bad[A-Za-z]+|Uncertain[A-Za-z]+)\b/.exec(message)?.[1] ?? null;
}

/**
 * Turns node-opcua's errors into messages that say what happened and what to do. Anything not
 * recognised keeps node-opcua's first line and is retried.
 */
export function classifyConnectError(
  err: unknown,
  endpointUrl: string,
  userName: string | null,
): ConnectionFailure {
  if (err instanceof ConnectionFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  const status = statusNameIn(err);
  const network = /(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)/.exec(
    message,
  )?.[1];
  if (network) {
    return new ConnectionFailure(
      `Cannot reach ${endpointUrl} (${network}); is the server running and the address right?`,
      'backoff',
      { cause: err },
    );
  }
  switch (status) {
    case 'BadUserAccessDenied':
    case 'BadIdentityTokenRejected':
    case 'BadIdentityTokenInvalid':
      return new ConnectionFailure(
        userName
          ? `The server refused user "${userName}" (${status}): wrong user name or password, or the user may not log in`
          : `The server refused the session's identity (${status})`,
        'never',
        { cause: err },
      );
    case 'BadSecurityChecksFailed':
    case 'BadCertificateUntrusted':
    case 'BadCertificateInvalid':
      return new ConnectionFailure(
        `The server refused Vigil's application certificate (${status}): ask its administrator to trust it (see listCertificates for its thumbprint)`,
        'slow',
        { cause: err },
      );
    case 'BadSecurityPolicyRejected':
    case 'BadSecurityModeRejected':
      return new ConnectionFailure(`The server refused the requested security (${status})`, 'never', {
        cause: err,
      });
    case 'BadTooManySessions':
      return new ConnectionFailure(`The server has no session left (${status}); retrying`, 'slow', {
        cause: err,
      });
  }
  const token = /Cannot find (\w+) user token policy/i.exec(message)?.[1];
  if (token) {
    const kind =
      token.toUpperCase() === 'ANONYMOUS' ? 'anonymous users' : `${token.toLowerCase()} identities`;
    return new ConnectionFailure(
      `The server does not accept ${kind} on this endpoint; configure another identity`,
      'never',
      { cause: err },
    );
  }
  if (
    /connection cannot be established|socket has been disconnected|Connection Break|premature/i.test(message)
  ) {
    return new ConnectionFailure(`Cannot reach ${endpointUrl}: ${firstLine(err)}`, 'backoff', { cause: err });
  }
  return new ConnectionFailure(`${endpointUrl}: ${firstLine(err)}`, 'backoff', { cause: err });
}
