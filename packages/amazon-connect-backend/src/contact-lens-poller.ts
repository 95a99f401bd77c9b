/**
 * Follows Contact Lens real-time analysis of live contacts and publishes it to
 * the agent's event stream: one poller per contact (a second follow of the
 * same contact — two tabs, a retry, a stream reconnection — joins the running
 * one), each polling ListRealtimeContactAnalysisSegments
 * (https://docs.aws.amazon.com/contact-lens/latest/APIReference/API_ListRealtimeContactAnalysisSegments.html)
 * with `MaxResults` 100 and the previous answer's `NextToken` (so no segment
 * is published twice), every `pollMs`, at once again while pages come back
 * full.
 *
 * Every `describeEveryPolls` polls, DescribeContact says whether the contact is still the agent's and live:
 * - it ended (`DisconnectTimestamp`) with the agent still on it (`AgentInfo.Id`, the agent it publishes to): the poller
 *   drains — full pages at once, whatever is left however long, then polls backing off (the interval doubles from
 *   `pollMs` up to `maxBackoffMs`) for `afterContactGraceMs` (default 3 min) to catch the post-contact summary Contact
 *   Lens produces after the contact, stopping as soon as an answer has no `NextToken`;
 * - it is someone else's (`AgentInfo.Id` changed: a transfer; no agent), live or ended: the poller stops — nothing
 *   more reaches the agent, not the rest of the conversation, nor the summary of a contact they did not finish;
 * - the agent is in after-contact work (`AgentInfo.AfterContactWorkStartTimestamp`) while the contact is live (they
 *   left a conference, the customer stays with a third party): no segment is fetched and DescribeContact is asked again
 *   at the next poll; ended by then → the agent was the last on it (the disconnect and after-contact work are written a
 *   moment apart): drains as above; still live → stops like a contact that is someone else's.
 * The agent's view lags DescribeContact by at most `describeEveryPolls` polls: what was analyzed meanwhile is theirs.
 *
 * A follow may carry `since` (ms from the contact's start: the end of the last transcript the browser showed, after
 * its stream reconnected): a new poller then publishes nothing of the segments before the first transcript ending
 * after it (their insights included; categories matched there count as published), so a poller started on another
 * instance or after a restart does not repeat sentiment, issues and categories. A running poller ignores it.
 *
 * A poller stops when:
 * - the analysis is over: an answer without `NextToken` ("the analysis is completed … no more segments");
 * - the contact ended and `afterContactGraceMs` passed, or it is no longer the agent's (above);
 * - Connect answers ResourceNotFoundException (no analysis for the contact: Contact Lens real-time is not enabled in its
 *   flow, or the contact is gone) or AccessDeniedException (the backend's role lacks the permission; reported);
 * - `maxDurationMs` has passed since it started (default 4 h: a safety net, no call lasts that long);
 * - `maxConsecutiveFailures` other failures in a row (each reported to onError, scrubbed);
 * - `close()`.
 * ThrottlingException (HTTP 429) doubles the interval up to `maxBackoffMs`, a success restores it; nothing is reported.
 * Timers are unref'd and `close()` aborts requests in flight, so pollers never keep the process alive.
 */
import { DescribeContactCommand, type ConnectClient } from "@aws-sdk/client-connect";
import { ListRealtimeContactAnalysisSegmentsCommand, type ConnectContactLensClient } from "@aws-sdk/client-connect-contact-lens";
import { segmentEndMs, segmentEvents, type AgentStreamEvent, type ContactLensSegment } from "./contact-lens.js";

/** Contact Lens settings of the backend (`ConnectBackendOptions.contactLens`). */
export interface ContactLensOptions {
  /** An official client: `new ConnectContactLensClient({ region })` (same region and credentials as the Connect client). */
  client: ConnectContactLensClient;
  /** Interval between two polls of one contact, ms. Default 2000, at least 10. Each followed contact costs 1000 / pollMs requests per second against an account-wide quota. */
  pollMs?: number;
  /** A poller stops this long after it started, ms. Default 14 400 000 (4 h). */
  maxDurationMs?: number;
  /** DescribeContact (has the contact ended?) every this many polls. Default 5 (every 10 s at the default interval). */
  describeEveryPolls?: number;
  /**
   * After DescribeContact shows the contact ended, polling goes on (backing off) this long for what Contact Lens adds
   * after the contact — the post-contact summary — unless the analysis completes first, ms. Default 180 000 (3 min), ≥ 0.
   */
  afterContactGraceMs?: number;
  /** Failures in a row (neither throttling nor the ends above) before a poller gives up. Default 3. */
  maxConsecutiveFailures?: number;
  /** The longest interval throttling backs off to, ms. Default 30 000. */
  maxBackoffMs?: number;
}

export interface PollerDeps {
  readonly connect: ConnectClient;
  readonly instanceId: string;
  /** Publishes to the agent's stream. */
  readonly publish: (agentId: string, event: AgentStreamEvent) => Promise<void>;
  /** Reports a failure (the caller scrubs it). */
  readonly report: (error: unknown) => void;
  /** Deadline of one AWS request, ms. */
  readonly requestTimeoutMs: number;
}

const MAX_RESULTS = 100;

const errorName = (error: unknown): string => {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : "";
};
const isThrottling = (error: unknown): boolean => {
  const name = errorName(error);
  return name === "ThrottlingException" || name === "TooManyRequestsException" || (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode === 429;
};

class ContactPoller {
  private readonly abort = new AbortController();
  private readonly seenCategories = new Set<string>();
  private readonly startedAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextToken: string | undefined;
  private polls = 0;
  private failures = 0;
  private delayMs: number;
  private stopped = false;
  /** When DescribeContact first showed the contact ended (the agent last on it): draining since. */
  private endedAt: number | undefined;
  /** DescribeContact showed the agent in after-contact work on a live contact: asked again before any segment. */
  private leaving = false;
  /** `since`: segments are skipped until a transcript ends after it. */
  private skipThrough: number | undefined;

  constructor(
    readonly contactId: string,
    /** The agent whose stream gets the events (the last one Connect said the contact belonged to). */
    public agentId: string,
    private readonly lens: ConnectContactLensClient,
    private readonly deps: PollerDeps,
    private readonly settings: Required<Omit<ContactLensOptions, "client">>,
    private readonly onStop: (poller: ContactPoller) => void,
    since?: number,
  ) {
    this.skipThrough = since;
    this.delayMs = settings.pollMs;
    this.schedule(0);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    this.onStop(this);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private signal(): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.deps.requestTimeoutMs)]);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    if (Date.now() - this.startedAt >= this.settings.maxDurationMs) return this.stop();
    this.polls += 1;
    try {
      if (this.endedAt === undefined && (this.leaving || this.polls % this.settings.describeEveryPolls === 0)) {
        const whose = await this.whose();
        if (whose === "theirs") return this.stop();
        this.leaving = whose === "leaving";
        if (this.leaving) {
          this.failures = 0;
          return this.schedule(this.settings.pollMs);
        }
        if (whose === "ended") {
          this.endedAt = Date.now();
          this.delayMs = this.settings.pollMs;
        }
      }
      const page = await this.page();
      this.failures = 0;
      if (page === "done") return this.stop();
      if (page === "full") return this.schedule(0);
      if (this.endedAt === undefined) {
        this.delayMs = this.settings.pollMs;
        return this.schedule(this.delayMs);
      }
      // Drained: wait for the post-contact summary, less and less often, until the grace period is over.
      const left = this.endedAt + this.settings.afterContactGraceMs - Date.now();
      if (left <= 0) return this.stop();
      this.schedule(Math.min(this.delayMs, left));
      this.delayMs = Math.min(this.delayMs * 2, this.settings.maxBackoffMs);
    } catch (error) {
      if (this.stopped) return;
      const name = errorName(error);
      if (isThrottling(error)) {
        this.delayMs = Math.min(this.delayMs * 2, this.settings.maxBackoffMs);
        return this.schedule(this.delayMs);
      }
      if (name === "ResourceNotFoundException") return this.stop();
      this.deps.report(error);
      if (name === "AccessDeniedException") return this.stop();
      this.failures += 1;
      if (this.failures >= this.settings.maxConsecutiveFailures) return this.stop();
      this.schedule(this.delayMs);
    }
  }

  /**
   * DescribeContact: still the agent's and live ("ours"), over with the agent last on it ("ended"), the agent in
   * after-contact work on a live contact for the first time ("leaving"), or not the agent's any more ("theirs").
   */
  private async whose(): Promise<"ours" | "ended" | "leaving" | "theirs"> {
    const out = await this.deps.connect.send(new DescribeContactCommand({ InstanceId: this.deps.instanceId, ContactId: this.contactId }), { abortSignal: this.signal() });
    const agent = out.Contact?.AgentInfo;
    if (agent?.Id !== this.agentId) return "theirs";
    if (out.Contact?.DisconnectTimestamp !== undefined) return "ended";
    if (agent.AfterContactWorkStartTimestamp === undefined) return "ours";
    return this.leaving ? "theirs" : "leaving";
  }

  /** One page of segments, published in order: "full" (more now), "some" (more later), "done" (no NextToken: the analysis is over). */
  private async page(): Promise<"full" | "some" | "done"> {
    const out = await this.lens.send(new ListRealtimeContactAnalysisSegmentsCommand({ InstanceId: this.deps.instanceId, ContactId: this.contactId, MaxResults: MAX_RESULTS, ...(this.nextToken ? { NextToken: this.nextToken } : {}) }), { abortSignal: this.signal() });
    const segments = (out.Segments ?? []) as ContactLensSegment[];
    // The token first: a publish failure must not make the next poll publish these segments again.
    if (out.NextToken) this.nextToken = out.NextToken;
    for (const segment of segments) {
      const events = segmentEvents(this.contactId, segment, this.seenCategories);
      if (this.skipThrough !== undefined) {
        // The browser showed this part already (`since`): mapped for the categories it matched, not published.
        if (segment.PostContactSummary === undefined && !((segmentEndMs(segment) ?? -1) > this.skipThrough)) continue;
        this.skipThrough = undefined;
      }
      for (const event of events) {
        if (this.stopped) return "done";
        try {
          await this.deps.publish(this.agentId, event);
        } catch (error) {
          this.deps.report(error);
        }
      }
    }
    if (!out.NextToken) return "done";
    return segments.length >= MAX_RESULTS ? "full" : "some";
  }
}

/** The pollers of one backend: at most one per contact. */
export class ContactLensPollers {
  private readonly pollers = new Map<string, ContactPoller>();
  private readonly settings: Required<Omit<ContactLensOptions, "client">>;
  private closed = false;

  constructor(
    private readonly options: ContactLensOptions,
    private readonly deps: PollerDeps,
  ) {
    const positive = (value: number | undefined, fallback: number, min = 1): number => {
      if (value === undefined) return fallback;
      if (!Number.isFinite(value) || value < min) throw new TypeError(`createConnectBackendHandler: contactLens options must be numbers ≥ ${min}`);
      return value;
    };
    this.settings = {
      pollMs: positive(options.pollMs, 2000, 10),
      maxDurationMs: positive(options.maxDurationMs, 4 * 60 * 60 * 1000),
      describeEveryPolls: Math.round(positive(options.describeEveryPolls, 5)),
      afterContactGraceMs: positive(options.afterContactGraceMs, 3 * 60 * 1000, 0),
      maxConsecutiveFailures: Math.round(positive(options.maxConsecutiveFailures, 3)),
      maxBackoffMs: positive(options.maxBackoffMs, 30_000),
    };
  }

  /**
   * Follows the contact for the agent: true when a poller started, false when one was already running (it now
   * publishes to this agent). `since`: the end of the last transcript the browser showed, ms (a new poller skips up to it).
   */
  follow(contactId: string, agentId: string, since?: number): boolean {
    if (this.closed) return false;
    const running = this.pollers.get(contactId);
    if (running) {
      running.agentId = agentId;
      return false;
    }
    const forget = (stopped: ContactPoller): void => {
      if (this.pollers.get(stopped.contactId) === stopped) this.pollers.delete(stopped.contactId);
    };
    this.pollers.set(contactId, new ContactPoller(contactId, agentId, this.options.client, this.deps, this.settings, forget, since));
    return true;
  }

  /** Contacts being followed now. */
  get contactIds(): string[] {
    return [...this.pollers.keys()];
  }

  /** Stops every poller (requests in flight are aborted); later follows start nothing. */
  close(): void {
    this.closed = true;
    for (const poller of [...this.pollers.values()]) poller.stop();
  }
}
