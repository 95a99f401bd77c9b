/**
 * The full connector conformance scenarios on the simulator, with the Pega
 * adapter riding along on each scenario's desktop: every event it forwards
 * must validate against Pega's draft-06 schemas, carry only strings, and
 * follow the documented mapping.
 */
import type { Call, DesktopEvent } from "@opencti/core";
import { runConnectorConformance } from "@opencti/testkit";
import { SIMULATOR_CAPABILITIES } from "@opencti/simulator";
import { createSimulatorHarness, SIMULATOR_FEATURES } from "@opencti/simulator/testing";
import { afterAll, expect } from "vitest";
import { createPegaImplementation, PEGA_ERROR_MAP, type PegaCallEvent, type PegaEvent } from "../src/index.js";
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
      createPegaImplementation(desktop, { forwardEvent: (e) => forwarded.push(JSON.parse(JSON.stringify(e)) as PegaEvent) });
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
          // Nothing about a call after Pega was told it is over.
          const last = forwarded.reduce((at, e, i) => (e.pyEventType !== "AgentStateEvent" && e.pyEventType !== "SnapshotEvent" && e.pyCallId === id ? i : at), -1);
          const terminal = forwarded.findIndex((e) => e.pyEventType === "CallStateEvent" && e.pyCallId === id && (e.pyEventName === "Disconnected" || e.pyEventName === "Abandoned"));
          if (terminal >= 0) expect(last, `events after the end of ${id}`).toBe(terminal);
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
});
