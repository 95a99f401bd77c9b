// Which agent a call's Voice AI callbacks go to, against a scripted twilio
// client whose every REST request takes 50 ms and is counted: lookups in
// flight when a conference changes, invalidation per call, and the answer's
// lifetime.
import type twilio from "twilio";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCallAgents } from "../src/call-agents.js";

const CUSTOMER = "CA" + "c".repeat(32);
const ALICE_LEG = "CA" + "a".repeat(32);
const BOB_LEG = "CA" + "b".repeat(32);
const WEB_CUSTOMER_LEG = "CA" + "e".repeat(32);
const IVR_CALL = "CA" + "9".repeat(32);
const CF = "CF" + "1".repeat(32);
const OTHER_CF = "CF" + "2".repeat(32);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scripted {
  /** The conference's participants now. */
  participants: { callSid: string; label: string }[];
  /** REST requests made. */
  requests: string[];
}

/** A twilio client with one in-progress conference, Call resources for the Client legs (alice, bob, a web-calling customer) and a phone customer. */
function scripted(state: Scripted): twilio.Twilio {
  const calls: Record<string, { direction: string; from: string; to: string }> = {
    [ALICE_LEG]: { direction: "outbound-api", from: "+15550100", to: "client:alice" },
    [BOB_LEG]: { direction: "outbound-api", from: "+15550100", to: "client:bob" },
    [WEB_CUSTOMER_LEG]: { direction: "inbound", from: "client:web-visitor-1", to: "+15550009999" },
    [CUSTOMER]: { direction: "inbound", from: "+15550100", to: "+15550009999" },
    [IVR_CALL]: { direction: "inbound", from: "+15550199", to: "+15550009999" },
  };
  const conferences = Object.assign(
    (sid: string) => ({
      participants: {
        list: async () => {
          state.requests.push(`participants ${sid}`);
          await sleep(50);
          return sid === CF ? state.participants.map((p) => ({ ...p })) : [];
        },
      },
    }),
    {
      list: async () => {
        state.requests.push("conferences");
        await sleep(50);
        return [{ sid: CF }, { sid: OTHER_CF }];
      },
    },
  );
  const callsOf = (sid: string) => ({
    fetch: async () => {
      state.requests.push(`call ${sid}`);
      await sleep(50);
      return calls[sid];
    },
  });
  return { conferences, calls: callsOf } as unknown as twilio.Twilio;
}

const rest = <T>(call: () => Promise<T>): Promise<T> => call();

function agentsWith(participants: Scripted["participants"], index: Record<string, string> = { [CUSTOMER]: CF, [ALICE_LEG]: CF, [BOB_LEG]: CF }) {
  const state: Scripted = { participants, requests: [] };
  const agents = createCallAgents({ client: scripted(state), conferenceOf: (call) => index[call], remember: () => {}, maxScan: 20 });
  return { state, agents };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a call's agent", () => {
  it("a lookup in flight when the agent leaves is not joined by a callback that arrives after the leave", async () => {
    const { state, agents } = agentsWith([
      { callSid: CUSTOMER, label: "customer" },
      { callSid: ALICE_LEG, label: "agent" },
    ]);
    const before = agents.of(rest, CUSTOMER);
    await sleep(70); // the participants were listed (alice still there); alice's Call is being fetched
    state.participants = [
      { callSid: CUSTOMER, label: "customer" },
      { callSid: BOB_LEG, label: "agent" },
    ];
    agents.changed(ALICE_LEG, CF);
    agents.changed(BOB_LEG, CF);
    const after = await agents.of(rest, CUSTOMER);
    expect(after?.identity).toBe("bob");
    // The callback that arrived before the leave is alice's; nothing of it is kept.
    expect((await before)?.identity).toBe("alice");
    expect((await agents.of(rest, CUSTOMER))?.identity).toBe("bob");
  });

  it("joins and leaves in other conferences do not stop a lookup from being kept", async () => {
    const { state, agents } = agentsWith([
      { callSid: CUSTOMER, label: "customer" },
      { callSid: ALICE_LEG, label: "agent" },
    ]);
    for (let i = 0; i < 5; i++) {
      const partial = agents.of(rest, CUSTOMER);
      await sleep(20);
      agents.changed("CA" + String(i).repeat(32), OTHER_CF); // someone joins elsewhere
      expect((await partial)?.identity).toBe("alice");
    }
    // One lookup: the known conference's participants and alice's Call.
    expect(state.requests).toEqual([`participants ${CF}`, `call ${ALICE_LEG}`]);
  });

  it("a call with no agent stays so when other conferences change; its own join forgets it", async () => {
    const { state, agents } = agentsWith([
      { callSid: CUSTOMER, label: "customer" },
      { callSid: ALICE_LEG, label: "agent" },
    ]);
    expect(await agents.of(rest, IVR_CALL)).toBeNull(); // in no conference: searched for
    const searched = state.requests.length;
    agents.changed(ALICE_LEG, CF);
    agents.changed("CA" + "5".repeat(32), OTHER_CF);
    expect(await agents.of(rest, IVR_CALL)).toBeNull();
    expect(state.requests.length).toBe(searched);
    agents.changed(IVR_CALL, OTHER_CF);
    expect(await agents.of(rest, IVR_CALL)).toBeNull();
    expect(state.requests.length).toBeGreaterThan(searched);
  });

  it("an agent found is kept for 2 s at most: another instance's leave is not heard here", async () => {
    const { state, agents } = agentsWith([
      { callSid: CUSTOMER, label: "customer" },
      { callSid: ALICE_LEG, label: "agent" },
    ]);
    vi.useFakeTimers({ toFake: ["Date"] });
    expect((await agents.of(rest, CUSTOMER))?.identity).toBe("alice");
    state.participants = [
      { callSid: CUSTOMER, label: "customer" },
      { callSid: BOB_LEG, label: "agent" },
    ];
    vi.setSystemTime(Date.now() + 1_500);
    expect((await agents.of(rest, CUSTOMER))?.identity).toBe("alice");
    vi.setSystemTime(Date.now() + 600);
    expect((await agents.of(rest, CUSTOMER))?.identity).toBe("bob");
  });

  it("fresh (a final, a media change): the kept agent is checked against the conference's participants, one request", async () => {
    const { state, agents } = agentsWith([
      { callSid: CUSTOMER, label: "customer" },
      { callSid: ALICE_LEG, label: "agent" },
    ]);
    expect((await agents.of(rest, CUSTOMER))?.identity).toBe("alice");
    state.requests.length = 0;
    expect((await agents.of(rest, CUSTOMER, true))?.identity).toBe("alice");
    expect(state.requests).toEqual([`participants ${CF}`]);
    // Alice left through another instance: this one heard nothing.
    state.participants = [{ callSid: CUSTOMER, label: "customer" }];
    expect(await agents.of(rest, CUSTOMER, true)).toBeNull();
    // …and what the check found is kept for the partials.
    expect(await agents.of(rest, CUSTOMER)).toBeNull();
  });

  it("without labels, two Client legs (a customer calling from a browser) are ambiguous: no agent", async () => {
    const { agents } = agentsWith(
      [
        { callSid: WEB_CUSTOMER_LEG, label: "" },
        { callSid: ALICE_LEG, label: "" },
      ],
      { [WEB_CUSTOMER_LEG]: CF, [ALICE_LEG]: CF },
    );
    expect(await agents.of(rest, WEB_CUSTOMER_LEG)).toBeNull();
    expect(await agents.of(rest, ALICE_LEG)).toBeNull();
  });

  it("without labels, one Client leg is the agent's, whichever leg is looked up", async () => {
    const { agents } = agentsWith([
      { callSid: CUSTOMER, label: "" },
      { callSid: ALICE_LEG, label: "" },
    ]);
    expect(await agents.of(rest, CUSTOMER)).toEqual({ identity: "alice", agentCallSid: ALICE_LEG, role: "customer" });
    expect(await agents.of(rest, ALICE_LEG)).toEqual({ identity: "alice", agentCallSid: ALICE_LEG, role: "agent" });
  });
});
