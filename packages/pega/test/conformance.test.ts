/**
 * The full connector conformance scenarios on the simulator, with the Pega
 * adapter riding along on each scenario's desktop: every event it forwards
 * must validate against Pega's draft-06 schemas, carry only strings, and
 * follow the documented mapping. Voice AI is on: every call that was
 * connected gets one AI session (Connected, then Disconnected right after its
 * end), with a session id no other call has.
 */
import type { Call, DesktopEvent } from "@opencti/core";
import { runConnectorConformance } from "@opencti/testkit";
import { SIMULATOR_CAPABILITIES } from "@opencti/simulator";
import { createSimulatorHarness, SIMULATOR_FEATURES } from "@opencti/simulator/testing";
import { afterAll, expect } from "vitest";
import { createPegaImplementation, PEGA_ERROR_MAP, type PegaCallEvent, type PegaEvent, type PegaVoiceAiEvent } from "../src/index.js";
import { nonStringLeaves, pegaSchemaProblems } from "./support.js";

/** The test's own oracle for the mapping table in the README. */
const EXPECTED: Partial<Record<DesktopEvent["type"], string>> = {
  "call.ringing": "Alerting",
  "call.dialing": "Initiated",
  "call.connected": "Established",
  "call.held": "Held",
  "call.resumed": "Retrieved",
};

let totalForwarded = 0;
/** Ended calls with a failure seen through the adapter (the outbound failure scenarios). */
let failures = 0;
/** Every AI session id seen, across scenarios: each call's own. */
const sessionIds = new Set<string>();
let sessions = 0;

for (const latencyMs of [0, 5]) {
  runConnectorConformance({
    name: `simulator (${latencyMs} ms) through the Pega adapter`,
    capabilities: SIMULATOR_CAPABILITIES,
    features: SIMULATOR_FEATURES,
    createHarness: (variant) => createSimulatorHarness({ latencyMs }, variant),
    requestTimeoutMs: 300,
    onDesktop(desktop) {
      const forwarded: PegaEvent[] = [];
      const seen: DesktopEvent[] = [];
      desktop.on("*", (e) => seen.push(e));
      // JSON round trip: what Pega would receive over its event channel.
      createPegaImplementation(desktop, { forwardEvent: (e) => forwarded.push(JSON.parse(JSON.stringify(e)) as PegaEvent), voiceAi: { channelId: "conformance" } });
      return () => {
        totalForwarded += forwarded.length;
        expect(forwarded.length).toBeGreaterThan(0);
        for (const e of forwarded) {
          expect(pegaSchemaProblems(e), JSON.stringify(e)).toEqual([]);
          expect(nonStringLeaves(e), JSON.stringify(e)).toEqual([]);
        }

        // Call events follow the mapping, in order, ending once with Disconnected or Abandoned.
        const callIds = new Set(seen.flatMap((e) => ("call" in e ? [(e as { call: Call }).call.id] : [])));
        for (const id of callIds) {
          const mine = seen.filter((e) => "call" in e && (e as { call: Call }).call.id === id) as (DesktopEvent & { call: Call })[];
          const expected = mine.flatMap((e) => (EXPECTED[e.type] ? [EXPECTED[e.type]!] : []));
          const end = mine.find((e) => e.type === "call.wrapup" || e.type === "call.ended");
          if (end) expected.push(end.call.endReason === "abandoned" ? "Abandoned" : "Disconnected");
          const got = forwarded.filter((e) => e.pyEventType === "CallStateEvent" && e.pyCallId === id).map((e) => e.pyEventName);
          expect(got, `Pega call events for ${id}`).toEqual(expected);
          // One AI session per call that was connected: Connected once, its session id its own.
          const voice = forwarded.filter((e): e is PegaVoiceAiEvent => e.pyEventType === "VoiceAIEvent" && e.pyCallId === id);
          const wasConnected = mine.some((e) => e.call.state === "connected");
          expect(voice.filter((e) => e.pyEventName === "Connected"), `Voice AI Connected for ${id}`).toHaveLength(wasConnected ? 1 : 0);
          expect(new Set(voice.map((e) => e.AISessionID)).size, `AI sessions of ${id}`).toBe(wasConnected ? 1 : 0);
          if (wasConnected) {
            expect(sessionIds.has(voice[0]!.AISessionID), `${id}'s session id is another call's`).toBe(false);
            sessionIds.add(voice[0]!.AISessionID);
            sessions++;
          }
          // Nothing about a call after Pega was told it is over, but its AI session's Disconnected right after.
          const terminal = forwarded.findIndex((e) => e.pyEventType === "CallStateEvent" && e.pyCallId === id && (e.pyEventName === "Disconnected" || e.pyEventName === "Abandoned"));
          if (terminal >= 0) {
            const after = forwarded.slice(terminal + 1).filter((e) => e.pyEventType !== "AgentStateEvent" && e.pyEventType !== "SnapshotEvent" && e.pyCallId === id);
            expect(after.map((e) => `${e.pyEventType}:${e.pyEventName}`), `events after the end of ${id}`).toEqual(wasConnected ? ["VoiceAIEvent:Disconnected"] : []);
            if (wasConnected) expect(forwarded[terminal + 1], `${id}'s Voice AI Disconnected follows its end at once`).toBe(after[0]);
          }
          // The end says how the call ended and, when the vendor said, why it failed.
          if (end) {
            const { endReason, failure } = end.call;
            const told = forwarded[terminal] as PegaCallEvent;
            expect(told.pyDisconnectReason, `pyDisconnectReason of ${id}`).toBe(endReason ?? "unknown");
            expect([told.pyFailureCode, told.pyErrCode, told.pyVendorCode], `failure of ${id}`).toEqual(failure ? [failure.code, PEGA_ERROR_MAP[failure.code], failure.vendorCode] : [undefined, undefined, undefined]);
            if (failure) failures++;
          }
        }

        // A Snapshot for every link up/down change and every login/logout.
        const linkFlips = seen.filter((e) => e.type === "link.changed" && (e.link === "connected") !== (e.previous === "connected")).length;
        const loginFlips = seen.filter((e) => e.type === "agent.changed" && (e.agent.state === "logged_out") !== (e.previous.state === "logged_out")).length;
        expect(forwarded.filter((e) => e.pyEventType === "SnapshotEvent")).toHaveLength(linkFlips + loginFlips);
      };
    },
  });
}

// Guards against a hook that silently never ran.
afterAll(() => {
  expect(totalForwarded).toBeGreaterThan(100);
  expect(failures, "failures forwarded: busy, not found, unavailable on both latencies").toBeGreaterThanOrEqual(6);
  expect(sessions, "AI sessions across the scenarios").toBeGreaterThan(20);
});
