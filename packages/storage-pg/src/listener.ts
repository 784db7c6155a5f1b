import type { Logger } from '@thv/registry-core';
import type pg from 'pg';
import { connectionReason } from './database-errors.js';
import { endClient } from './end-client.js';

/** Reconnection and liveness timing of the LISTEN connection. */
export interface ListenerTiming {
  /** First delay before reconnecting; it doubles up to {@link maxBackoffMs}. Default 250 ms. */
  initialBackoffMs?: number;
  /**
   * Longest delay between reconnection attempts. Default 2 s: an attempt costs one connection, and
   * a database that comes back is followed within seconds.
   */
  maxBackoffMs?: number;
  /**
   * How often the idle connection is checked with `SELECT 1`; no answer within half of it counts as
   * lost. Default 10 s, so a network that drops packets is noticed within 15 s.
   */
  heartbeatMs?: number;
}

/** What the listener needs from its owner. */
export interface ListenerOptions extends ListenerTiming {
  /** A new, unconnected client (a fresh one per attempt). */
  createClient(): pg.Client;
  /** The channel to LISTEN on (a plain identifier). */
  channel: string;
  /** Called with each notification's payload. */
  onNotification(payload: string): void;
  /** Called after the connection came back: notifications may have been missed meanwhile. */
  onReconnect(): void;
  /** `PostgreSQL at host:port as user`, for messages. */
  target: string;
  logger: Logger;
}

/** Connected, or why not. */
export interface ListenerState {
  connected: boolean;
  reason?: string;
}

/**
 * A dedicated connection that LISTENs on a channel. When the connection drops (server restart,
 * network, `pg_terminate_backend`), it reconnects with exponential backoff and jitter, LISTENs
 * again and reports the reconnection so that its owner can catch up on missed notifications.
 */
export class ChangeListener {
  readonly #options: ListenerOptions;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #heartbeatMs: number;
  #client: pg.Client | undefined;
  #state: ListenerState = { connected: false, reason: 'not started' };
  #attempts = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ListenerOptions) {
    this.#options = options;
    this.#initialBackoffMs = options.initialBackoffMs ?? 250;
    this.#maxBackoffMs = options.maxBackoffMs ?? 2_000;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** Connected, or why not. */
  get state(): ListenerState {
    return this.#state;
  }

  /** Connects and LISTENs; a failure of this first attempt is thrown (no retry). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  /** Stops listening and closes the connection; no reconnection follows. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeatTimer);
    const client = this.#client;
    this.#client = undefined;
    this.#state = { connected: false, reason: 'stopped' };
    if (client !== undefined) await endClient(client);
  }

  async #connect(): Promise<void> {
    const client = this.#options.createClient();
    // Until connected, errors reject connect(); afterwards they mean the connection is gone.
    client.on('error', (error) => this.#dropped(client, error));
    client.on('end', () => this.#dropped(client, new Error('Connection terminated')));
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel && message.payload !== undefined) this.#options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#options.channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await endClient(client);
      throw error;
    }
    if (this.#stopped) {
      await endClient(client);
      return;
    }
    this.#client = client;
    this.#state = { connected: true };
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(client), this.#heartbeatMs);
    this.#heartbeatTimer.unref();
  }

  /** A query on the idle connection: a half-open TCP connection shows up as a failure or a hang. */
  async #heartbeat(client: pg.Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timeout expired')), Math.max(1000, this.#heartbeatMs / 2));
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (error) {
      this.#dropped(client, error);
    } finally {
      clearTimeout(timer);
    }
  }

  #dropped(client: pg.Client, error: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    clearInterval(this.#heartbeatTimer);
    void endClient(client);
    if (this.#stopped) return;
    const reason = connectionReason(error);
    this.#state = { connected: false, reason };
    this.#options.logger.warn({ reason }, `lost the LISTEN connection to ${this.#options.target}; reconnecting`);
    this.#attempts = 0;
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const base = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** this.#attempts);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#attempts += 1;
    this.#retryTimer = setTimeout(() => void this.#reconnect(), delay);
    this.#retryTimer.unref();
  }

  async #reconnect(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#connect();
    } catch (error) {
      const reason = connectionReason(error);
      this.#state = { connected: false, reason };
      this.#options.logger.debug({ reason, attempt: this.#attempts }, 'LISTEN reconnection failed');
      this.#scheduleReconnect();
      return;
    }
    if (this.#stopped) return;
    this.#options.logger.info(`LISTEN connection to ${this.#options.target} restored`);
    this.#options.onReconnect();
  }
}
