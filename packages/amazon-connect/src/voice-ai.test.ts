// The Voice AI follower's bookkeeping with fakes (an EventSource driven by hand, a backend that records
// followContactLens) and fake timers for the stream's reconnection backoff.
import { CtiError, type ConnectorContext, type Signal } from "@opencti/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AmazonConnectBackend } from "./backend.js";
import type { AgentData, ContactData } from "./snapshot.js";
import { createVoiceAi } from "./voice-ai.js";

class FakeEventSource {
  static all: FakeEventSource[] = [];
  onopen: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;
  closed = false;
  private readonly listeners = new Map<string, ((event: { data: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, listener: (event: { data: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  /** As a browser's: the attribute handler, then the listeners. */
  private fire(type: string, data = ""): void {
    if (this.closed) return;
    if (type === "open") this.onopen?.({} as never);
    if (type === "error") this.onerror?.({} as never);
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
  open(): void {
    this.fire("open");
  }
  fail(): void {
    this.fire("error");
  }
  send(type: string, message: unknown): void {
    this.fire(type, JSON.stringify(message));
  }
}

const CONTACT = "c0ffee00-0000-4000-8000-000000000001";
const talking = (contactId = CONTACT): ContactData => ({
  contactId,
  type: "voice",
  state: "connected",
  attributes: {},
  connections: [
    { connectionId: "agent-1", type: "agent", initial: false, state: "connected" },
    { connectionId: "cust-1", type: "inbound", initial: true, state: "connected" },
  ],
});
const snapshot = (contacts: ContactData[]): AgentData => ({ state: { type: "routable", name: "Available" }, timestamp: 0, agentStates: [], contacts, badContacts: [] });

let signals: Signal[];
let follows: { contactId: string; since?: number }[];
let answers: (() => Promise<void>)[];
const ctx = (): ConnectorContext =>
  ({
    signal: (s: Signal) => signals.push(s),
    getCall: (id: string) => ({ id, state: "connected" }),
    upsertCall: () => undefined,
    invalidVendorEvent: () => undefined,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  }) as unknown as ConnectorContext;
const backend = (): AmazonConnectBackend => ({
  monitor: () => Promise.reject(new Error("unused")),
  suspendRecording: () => Promise.resolve(),
  resumeRecording: () => Promise.resolve(),
  agentStream: { url: () => Promise.resolve(`https://backend.example/events?ticket=${FakeEventSource.all.length}`) },
  followContactLens: (request) => {
    follows.push({ ...request });
    return (answers.shift() ?? (() => Promise.resolve()))();
  },
});
/** Lets the ticket request and the follow answers settle. */
const settle = () => vi.advanceTimersByTimeAsync(0);
const latest = () => FakeEventSource.all.at(-1)!;
/** The follower's next EventSource, after its backoff (growing: it resets only once a stream stayed up 30 s). */
async function nextStream(): Promise<void> {
  const before = FakeEventSource.all.length;
  for (let i = 0; i < 120 && FakeEventSource.all.length === before; i += 1) await vi.advanceTimersByTimeAsync(250);
  expect(FakeEventSource.all.length).toBe(before + 1);
}
/** The stream drops; the follower reconnects. */
async function reconnect(): Promise<void> {
  latest().fail();
  await nextStream();
}
/** The current stream opens (the backend has subscribed the agent), and what that asks for settles. */
async function opened(): Promise<void> {
  latest().open();
  await settle();
}

const original = (globalThis as { EventSource?: unknown }).EventSource;
beforeEach(() => {
  vi.useFakeTimers();
  (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
  FakeEventSource.all = [];
  signals = [];
  follows = [];
  answers = [];
});
afterEach(() => {
  vi.useRealTimers();
  (globalThis as { EventSource?: unknown }).EventSource = original;
});

describe("Voice AI: following the contact's Contact Lens analysis", () => {
  it("asks for a contact only once the stream is open (a new poller's first burst would otherwise beat the subscription), and again at each reopening", async () => {
    const ai = createVoiceAi({ ccpUrl: "https://x.my.connect.aws/ccp-v2/", container: {} as never, backend: backend(), agentStream: true })!;
    const c = ctx();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    expect(FakeEventSource.all).toHaveLength(1);
    expect(follows).toEqual([]);
    await opened();
    expect(follows).toEqual([{ contactId: CONTACT }]);
    // Snapshots while open: asked once.
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    expect(follows).toHaveLength(1);
    // The stream drops: a contact connected meanwhile waits for the new stream.
    latest().fail();
    const other = "c0ffee00-0000-4000-8000-000000000002";
    ai.agentUpdated(c, snapshot([talking(), talking(other)]));
    await settle();
    expect(follows).toHaveLength(1);
    await nextStream();
    expect(follows).toHaveLength(1);
    await opened();
    expect(follows.map((f) => f.contactId)).toEqual([CONTACT, CONTACT, other]);
    ai.stop();
  });

  it("counts consecutive failures only: a contact is asked for again after any number of reconnections; three failures in a row give up with one warning", async () => {
    const ai = createVoiceAi({ ccpUrl: "https://x.my.connect.aws/ccp-v2/", container: {} as never, backend: backend(), agentStream: true })!;
    const c = ctx();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    await opened();
    for (let i = 0; i < 5; i += 1) {
      await reconnect();
      await opened();
    }
    expect(follows).toHaveLength(6);
    // Two failures, then a success: the count starts again.
    const refuse = () => Promise.reject(new CtiError("VENDOR_ERROR", "backend down"));
    answers.push(refuse, refuse);
    await reconnect();
    await opened();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    expect(follows).toHaveLength(9);
    answers.push(refuse, refuse);
    await reconnect();
    await opened();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    expect(follows).toHaveLength(11);
    expect(signals.filter((s) => s.kind === "warning" && s.code === "CONTACT_LENS_UNAVAILABLE")).toEqual([]);
    // Three in a row: one warning for the call, and no more asking.
    answers.push(refuse);
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    await reconnect();
    await opened();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    expect(follows).toHaveLength(12);
    expect(signals.filter((s) => s.kind === "warning" && s.code === "CONTACT_LENS_UNAVAILABLE")).toEqual([
      { kind: "warning", code: "CONTACT_LENS_UNAVAILABLE", message: "No Contact Lens transcripts: backend down", callId: CONTACT },
    ]);
    ai.stop();
  });

  it("after a reconnection, asks with since = the end of the last transcript the desktop showed for the contact (none before any)", async () => {
    const ai = createVoiceAi({ ccpUrl: "https://x.my.connect.aws/ccp-v2/", container: {} as never, backend: backend(), agentStream: true })!;
    const c = ctx();
    ai.agentUpdated(c, snapshot([talking()]));
    await settle();
    await opened();
    const say = (id: string, endMs?: number) => latest().send("transcript", { callId: CONTACT, segment: { id, speaker: "customer", text: id, final: true, ...(endMs !== undefined ? { startMs: 0, endMs } : {}) } });
    say("t-1", 2000);
    say("t-2", 5400);
    say("t-0", 1000); // out of order: the latest end counts
    say("no-offsets");
    expect(signals.filter((s) => s.kind === "transcript")).toHaveLength(4);
    await reconnect();
    await opened();
    expect(follows).toEqual([{ contactId: CONTACT }, { contactId: CONTACT, since: 5400 }]);
    ai.stop();
  });
});
