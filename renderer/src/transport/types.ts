import type {
  StreamMessage,
  StreamName,
  StreamParams,
  VigilApiError,
  VigilClient,
} from '../../../shared/api';

/**
 * `open`: calls and streams flow. `connecting`: first attempt. `reconnecting`: the link was lost
 * (or never came up) and the client is retrying with backoff. `closed`: disposed, for good.
 */
export type TransportState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface TransportStatus {
  state: TransportState;
  /** Why the link is not open, in words an operator can act on; null when open. */
  lastError: string | null;
  /** Reconnect attempts since the link was last open. */
  attempt: number;
}

/** A tiny observable value: read it now, or be told whenever it changes. */
export interface Observable<T> {
  get(): T;
  subscribe(listener: (value: T) => void): () => void;
}

/** What the renderer uses: the contract's client plus the transport's health and lifetime. */
export interface RendererClient extends VigilClient {
  /**
   * As VigilClient.subscribe; `onError` is told when the host refuses or ends the stream
   * (e.g. invalid params), after which no more messages arrive for it.
   */
  subscribe<S extends StreamName>(
    name: S,
    params: StreamParams<S>,
    onMessage: (message: StreamMessage<S>) => void,
    onError?: (error: VigilApiError) => void,
  ): () => void;
  readonly status: Observable<TransportStatus>;
  /** Which transport this is, for the status line. */
  readonly kind: 'websocket' | 'electron';
  dispose(): void;
}
