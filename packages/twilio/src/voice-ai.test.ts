// Which stream a configuration follows, and which call a CallSid on it is.
import { describe, expect, it } from "vitest";
import { createHttpCallControlBackend } from "./backend.js";
import { twilioCapabilities } from "./options.js";
import { agentStreamSource, callIdForSid } from "./voice-ai.js";

describe("agentStreamSource", () => {
  it("is the given source, the HTTP backend's own stream with true, none without", () => {
    const source = { url: () => Promise.resolve("https://ai.example.com/events?ticket=1") };
    expect(agentStreamSource(source, undefined)).toBe(source);
    expect(agentStreamSource(undefined, createHttpCallControlBackend({ url: "/cc" }))).toBeUndefined();
    expect(agentStreamSource(true, createHttpCallControlBackend({ url: "/cc" }))?.url).toBeTypeOf("function");
  });

  it("refuses true without a backend stream, and a source without url(), with a TypeError", () => {
    expect(() => agentStreamSource(true, undefined)).toThrow(TypeError);
    expect(() => agentStreamSource(true, { hold: () => Promise.resolve() } as never)).toThrow(/serves none/);
    expect(() => agentStreamSource({ url: "https://ai.example.com" } as never, undefined)).toThrow(/AgentStreamSource/);
  });

  it("declares transcripts only with an agentStream", () => {
    expect(twilioCapabilities({})).not.toContain("transcripts");
    expect(twilioCapabilities({ agentStream: true, backend: {} })).toContain("transcripts");
    expect(twilioCapabilities({ agentStream: true, capabilities: ["dial"] })).toEqual(["dial"]);
  });
});

describe("callIdForSid", () => {
  const call = (CallSid?: string) => ({ parameters: CallSid ? { CallSid } : {} });
  const calls = [
    { id: "CA1", call: call("CA1") }, // incoming: its id is its CallSid
    { id: "outbound-7f", call: call("CA2") }, // outbound: the SDK's id, the CallSid learnt later
    { id: "outbound-8e", call: call() }, // outbound, no CallSid yet
  ];

  it("finds an incoming call by its CallSid and an outbound call by the CallSid Twilio gave it", () => {
    expect(callIdForSid(calls, "CA1")).toBe("CA1");
    expect(callIdForSid(calls, "CA2")).toBe("outbound-7f");
    expect(callIdForSid(calls, "CA3")).toBeUndefined();
    expect(callIdForSid(calls, "outbound-7f")).toBeUndefined();
  });
});
