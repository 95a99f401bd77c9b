/**
 * The Redis side of a stream: one client for commands (the ticket scripts,
 * PUBLISH) and its duplicate for SUBSCRIBE (a subscribed connection takes no
 * other command). Every command waits for a connection and answers within
 * `timeoutMs`, or fails with a typed, scrubbed AgentStreamError that is also
 * told to onError. node-redis: https://github.com/redis/node-redis.
 */
import { createClient } from "redis";
import { AgentStreamError, invalid, type AgentStreamErrorCode } from "./errors.js";
import { messageOf, safeUrl, urlSecrets } from "./scrub.js";

/**
 * The part of a node-redis client (`createClient` from "redis" or
 * "@redis/client", v5 or later) the stream uses; any such client fits,
 * whatever its modules, scripts or RESP version.
 */
export interface RedisClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  /** Read for the URL and password to keep out of messages. */
  readonly options?: { readonly url?: string; readonly password?: string } | undefined;
  connect(): Promise<unknown>;
  duplicate(): RedisClient;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: ChannelListener): Promise<unknown>;
  unsubscribe(channel: string, listener: ChannelListener): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
  on(event: "error" | "ready", listener: (error?: unknown) => void): unknown;
  off(event: "error" | "ready", listener: (error?: unknown) => void): unknown;
}

/** What hears a channel's messages (node-redis calls it with the message and the channel's name). */
export type ChannelListener = (message: string, channel: string) => void;

/**
 * Where the stream's Redis is: a `redis://` or `rediss://` URL (the stream
 * makes and closes its clients), or a node-redis client you made (e.g. with
 * TLS or credential options a URL cannot carry; the stream connects it if it
 * is not open, duplicates it for SUBSCRIBE, and never closes it).
 */
export type RedisOption = { readonly url: string } | { readonly client: RedisClient };

type Report = (error: AgentStreamError) => void;

/** Reconnect after 50 ms, doubling to at most 2 s: node-redis keeps trying while the stream is open. */
const reconnectStrategy = (retries: number): number => Math.min(50 * 2 ** retries, 2000);

export class RedisLink {
  readonly #client: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #ownsClient: boolean;
  /** The server, for messages: scheme, host and port, never credentials. */
  readonly #where: string;
  readonly #secrets: readonly string[];
  readonly #timeoutMs: number;
  readonly #report: Report;
  /** The listeners put on the clients, taken off again by close() (a client you made outlives the stream). */
  readonly #listening: { client: RedisClient; event: "error" | "ready"; listener: (error?: unknown) => void }[] = [];
  #closed = false;

  constructor(option: RedisOption, timeoutMs: number, report: Report) {
    this.#timeoutMs = timeoutMs;
    this.#report = report;
    if ("client" in option && option.client) {
      const { url, password } = option.client.options ?? {};
      this.#where = typeof url === "string" ? safeUrl(url) : "redis";
      this.#secrets = [...(typeof url === "string" ? urlSecrets(url) : []), ...(typeof password === "string" ? [password] : [])];
      this.#client = option.client;
      this.#ownsClient = false;
    } else {
      const url = (option as { url?: unknown }).url;
      if (typeof url !== "string" || !/^rediss?:\/\//i.test(url)) throw invalid("redis.url must be a redis:// or rediss:// URL");
      this.#where = safeUrl(url);
      this.#secrets = urlSecrets(url);
      // No offline queue: a command sent while Redis is away fails instead of
      // going out late (a PUBLISH its caller already gave up on).
      this.#client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy } });
      this.#ownsClient = true;
    }
    this.#subscriber = this.#client.duplicate();
    for (const [client, name] of [
      [this.#client, "commands"],
      [this.#subscriber, "subscriber"],
    ] as const) {
      this.#watch(client, name);
      if (client.isOpen) continue;
      client.connect().catch((e: unknown) => {
        if (!this.#closed) this.#failed("REDIS_CONNECTION", `connect (${name})`, e);
      });
    }
  }

  #on(client: RedisClient, event: "error" | "ready", listener: (error?: unknown) => void): void {
    client.on(event, listener);
    this.#listening.push({ client, event, listener });
  }

  /** Tells onError once per outage (node-redis emits an error per reconnect attempt). */
  #watch(client: RedisClient, name: string): void {
    let down = false;
    this.#on(client, "error", (e: unknown) => {
      if (down || this.#closed) return;
      down = true;
      this.#report(this.#error("REDIS_CONNECTION", `connection (${name})`, e));
    });
    this.#on(client, "ready", () => (down = false));
  }

  /** Whether the subscriber is connected now. */
  get subscriberReady(): boolean {
    return this.#subscriber.isReady;
  }

  /** Calls `listener` each time the subscriber is connected again (node-redis has resubscribed what it holds by then). */
  onSubscriberReady(listener: () => void): void {
    this.#on(this.#subscriber, "ready", () => {
      if (!this.#closed) listener();
    });
  }

  #error(code: AgentStreamErrorCode, what: string, cause: unknown): AgentStreamError {
    return new AgentStreamError(code, `Redis ${what} failed (${this.#where}): ${messageOf(cause, this.#secrets)}`);
  }

  #failed(code: AgentStreamErrorCode, what: string, cause: unknown): AgentStreamError {
    const error = this.#error(code, what, cause);
    this.#report(error);
    return error;
  }

  /** Runs one command once `client` is connected, all within timeoutMs; a failure is typed, scrubbed and reported. */
  async #run<T>(code: AgentStreamErrorCode, what: string, client: RedisClient, command: (c: RedisClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new AgentStreamError("CLOSED", "The agent stream is closed");
    const deadline = Date.now() + this.#timeoutMs;
    try {
      await ready(client, deadline);
      return await within(command(client), deadline);
    } catch (e) {
      throw this.#failed(code, what, e);
    }
  }

  /** EVAL `script` (a failure is `code`, naming `what`): its reply. */
  async script(code: AgentStreamErrorCode, what: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.#run(code, what, this.#client, (c) => c.eval(script, { keys, arguments: args }));
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#run("FANOUT_FAILED", "PUBLISH", this.#client, (c) => c.publish(channel, message));
  }

  /**
   * SUBSCRIBE `channel` with `listener`. node-redis keeps a channel's
   * listeners in a Set, so subscribing the same function again adds nothing
   * (no second delivery). On a failure the SUBSCRIBE may still go through
   * late, or be resubscribed on reconnect: the caller owes an UNSUBSCRIBE.
   */
  async subscribe(channel: string, listener: ChannelListener): Promise<void> {
    await this.#run("FANOUT_FAILED", "SUBSCRIBE", this.#subscriber, (c) => c.subscribe(channel, listener));
  }

  /**
   * UNSUBSCRIBE `listener` from `channel`. node-redis drops the listener only
   * when Redis answers: on a failure it still holds it (and resubscribes it
   * on reconnect), so the caller must try again.
   */
  async unsubscribe(channel: string, listener: ChannelListener): Promise<void> {
    await this.#run("FANOUT_FAILED", "UNSUBSCRIBE", this.#subscriber, (c) => c.unsubscribe(channel, listener));
  }

  /**
   * Closes the subscriber and, when the stream made it, the command client
   * (QUIT within timeoutMs, else dropped), and takes the stream's listeners
   * off the clients (yours keeps only its own).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const owned = this.#ownsClient ? [this.#subscriber, this.#client] : [this.#subscriber];
    await Promise.all(owned.map((client) => shut(client, Date.now() + this.#timeoutMs)));
    for (const { client, event, listener } of this.#listening.splice(0)) client.off(event, listener);
  }
}

async function shut(client: RedisClient, deadline: number): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) return void client.destroy();
  try {
    await within(client.close(), deadline);
  } catch {
    if (client.isOpen) client.destroy();
  }
}

/** Resolves once `client` is connected, or rejects at `deadline`. */
function ready(client: RedisClient, deadline: number): Promise<void> {
  if (client.isReady) return Promise.resolve();
  if (!client.isOpen) return Promise.reject(new Error("the client is closed"));
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off("ready", done);
      reject(new Error("not connected in time"));
    }, Math.max(0, deadline - Date.now()));
    client.on("ready", done);
  });
}

/** `work`, or a rejection at `deadline`. */
function within<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer in time")), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
