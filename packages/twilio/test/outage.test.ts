// @vitest-environment jsdom
// Issue 12, cases 7 and 8: the real @twilio/voice-sdk in jsdom against the
// PStream emulator while the signalling socket is refused for a few seconds
// (a network outage) or accepted and cut again several times (a flapping edge).
import { startJsdomDesktop } from "./support/jsdom-desktop.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Desktop, DesktopEvent } from "@opencti/core";
import type { TwilioEmulator } from "../src/testing/index.js";
import { DEFAULTS } from "../src/options.js";
import type { RecordedDesktop } from "@opencti/testkit";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let emulator: TwilioEmulator;
let rec: RecordedDesktop;
let desktop: Desktop;

beforeEach(async () => {
  ({ emulator, rec } = await startJsdomDesktop({}, { reregisterDelaysMs: [200, 400, 800, 1600] }));
  desktop = rec.desktop;
  await desktop.login({});
  await desktop.setAgentState("ready");
});

afterEach(async () => {
  await desktop?.destroy();
  await emulator?.close();
});

const errorsAfter = (seq: number): DesktopEvent[] => rec.events.filter((e) => e.seq > seq && e.type === "error");
const linksAfter = (seq: number): string[] => rec.events.filter((e) => e.seq > seq && e.type === "link.changed").map((e) => (e as { link: string }).link);

describe("a network outage (case 7)", () => {
  it("a 3 s outage is the link's state (reconnecting, then connected), not a flood of 31005/31009/31000 error events", async () => {
    const from = rec.lastSeq();
    emulator.refuseLink();
    await rec.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    await sleep(3000);
    const registers = emulator.frames("register").length;
    emulator.restoreLink();
    await rec.next("link.changed", (e) => e.link === "connected", { after: from, timeout: 15_000 });
    expect(emulator.frames("register").length).toBeGreaterThan(registers);
    expect(errorsAfter(from)).toEqual([]);
    expect(linksAfter(from)).toEqual(["reconnecting", "connected"]);
    await desktop.setAgentState("break");
  });

  it("a socket accepted and cut for 3 s (the reconnects reach the edge and drop) is the link's state too, and the link comes back", async () => {
    const from = rec.lastSeq();
    emulator.dropLink();
    await rec.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    await sleep(3000);
    emulator.restoreLink();
    await rec.next("link.changed", (e) => e.link === "connected", { after: from, timeout: 15_000 });
    expect(errorsAfter(from)).toEqual([]);
    expect(desktop.snapshot().link).toBe("connected");
  });

  it("after logout the socket's loss is the link's state too, and the link comes back with the Device still unregistered", async () => {
    await desktop.logout();
    const from = rec.lastSeq();
    const registers = emulator.frames("register").length;
    emulator.refuseLink();
    await rec.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    await sleep(1500);
    emulator.restoreLink();
    await rec.next("link.changed", (e) => e.link === "connected", { after: from, timeout: 15_000 });
    expect(errorsAfter(from)).toEqual([]);
    // The SDK registers a Device it unregistered again on the next reconnect: the connector takes that back.
    const audio = (frame: Record<string, unknown>): unknown => (frame.media as { audio?: unknown } | undefined)?.audio;
    const sent = await rec.waitFor(() => {
      const frames = emulator.frames("register").slice(registers);
      const sdk = frames.findIndex((f) => audio(f) === true);
      return sdk >= 0 && frames.slice(sdk + 1).some((f) => audio(f) === false) && frames;
    }, "the connector's un-register after the SDK's re-register");
    expect(sent.map(audio)).toEqual([true, false]);
    expect(desktop.snapshot().agent.state).toBe("logged_out");
  });
});

describe("a flapping signalling edge (case 8)", () => {
  it("after several sockets accepted and cut before `connected`, the connector registers again itself and the link is connected", async () => {
    const from = rec.lastSeq();
    const registers = emulator.frames("register").length;
    emulator.flap(3);
    await rec.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    await rec.next("link.changed", (e) => e.link === "connected", { after: from, timeout: 20_000 });
    expect(emulator.frames("listen").length).toBeGreaterThanOrEqual(5); // the first, three cut, the one that stays
    expect(emulator.frames("register").length).toBeGreaterThan(registers);
    expect(errorsAfter(from)).toEqual([]);
    // Registered for real: an offer reaches the desktop again.
    const ringing = rec.next("call.ringing", () => true, { after: from });
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    expect((await ringing).call.id).toBe(sid);
    await desktop.reject(sid);
  });

  it("Twilio never confirming the registration once the socket is back: bounded attempts, then the link is disconnected with one error; a later registration brings it back", async () => {
    emulator.unanswered.add("register");
    const from = rec.lastSeq();
    const registers = emulator.frames("register").length;
    emulator.flap(2);
    await rec.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    await rec.next("link.changed", (e) => e.link === "disconnected", { after: from, timeout: 20_000 });
    const errors = errorsAfter(from);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "LINK_DOWN" });
    const sent = emulator.frames("register").length - registers;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(DEFAULTS.reregisterAttempts);
    emulator.unanswered.delete("register");
    emulator.send("ready");
    await rec.next("link.changed", (e) => e.link === "connected", { after: from });
  });

  it("after giving up, Twilio answering again and the socket cut once more: the new loss starts over and the link comes back", async () => {
    emulator.unanswered.add("register");
    const from = rec.lastSeq();
    emulator.flap(2);
    await rec.next("link.changed", (e) => e.link === "disconnected", { after: from, timeout: 20_000 });
    emulator.unanswered.delete("register"); // Twilio is healthy again; the Device is still `registering`
    const mid = rec.lastSeq();
    emulator.dropLink();
    await rec.next("link.changed", (e) => e.link === "reconnecting", { after: mid });
    emulator.restoreLink();
    await rec.next("link.changed", (e) => e.link === "connected", { after: mid, timeout: 20_000 });
    expect(errorsAfter(mid)).toEqual([]);
    expect(emulator.frames("register").at(-1)).toMatchObject({ media: { audio: true } });
  });
});
