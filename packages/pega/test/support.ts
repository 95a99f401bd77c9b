/**
 * Test support: Pega's draft-06 event schemas checked with ajv, and a
 * simulator harness for the conformance suite.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import type { Call } from "@opencti/core";
import type { ConnectorHarness } from "@opencti/testkit";
import { createSimulator, type SimulatorServer, type SimulatorServerOptions } from "@opencti/simulator";

const SCHEMA_FOR: Record<string, string> = {
  CallStateEvent: "CallEvent",
  AgentStateEvent: "AgentEvent",
  SnapshotEvent: "Snapshot",
  PartyInfoEvent: "PartyInfo",
};

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const require = createRequire(import.meta.url);
  const meta = JSON.parse(readFileSync(require.resolve("ajv/dist/refs/json-schema-draft-06.json"), "utf8")) as { $id?: string };
  const ajv = new Ajv({ allErrors: true, strict: true, meta: false });
  ajv.addMetaSchema(meta);
  validators = new Map();
  for (const name of Object.values(SCHEMA_FOR)) {
    const schema = JSON.parse(readFileSync(new URL(`../schema/${name}.json`, import.meta.url), "utf8")) as { $schema: string };
    if (schema.$schema !== "http://json-schema.org/draft-06/schema#") throw new Error(`${name}.json is not draft-06`);
    validators.set(name, ajv.compile(schema));
  }
  return validators;
}

/** Problems with a forwarded event against the Pega schema for its pyEventType; [] when valid. */
export function pegaSchemaProblems(event: unknown): string[] {
  const type = (event as { pyEventType?: unknown } | null)?.pyEventType;
  const name = typeof type === "string" ? SCHEMA_FOR[type] : undefined;
  if (!name) return [`unknown pyEventType ${JSON.stringify(type)}`];
  const validate = load().get(name)!;
  if (validate(event)) return [];
  return (validate.errors ?? []).map((e) => `${name}${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** Paths of every leaf that is not a string: Pega's events carry strings only. */
export function nonStringLeaves(value: unknown, path = ""): string[] {
  if (typeof value === "string") return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonStringLeaves(v, `${path}/${i}`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => nonStringLeaves(v, `${path}/${k}`));
  return [`${path || "/"} is ${typeof value}`];
}

/** The simulator behind the conformance suite (its real wire protocol and connector). */
export function simulatorHarness(options: SimulatorServerOptions = {}) {
  return (): ConnectorHarness => {
    const { server, connector } = createSimulator({ ...options, connector: { reconnectDelaysMs: [10, 20] } });
    const id = (call: Call): string => call.vendorCallId;
    const run = (fn: (s: SimulatorServer) => void): Promise<void> => Promise.resolve(fn(server));
    return {
      connector,
      destinations: { outbound: "+15550142", transferTarget: "+15550143", consultTarget: "+15550144" },
      login: { agentId: "agent-7" },
      driver: {
        ringInbound: (c) => run((s) => void s.ringInbound(c)),
        remoteAnswer: (call) => run((s) => s.remoteAnswer(id(call))),
        remoteHangup: (call) => run((s) => s.remoteHangup(id(call))),
        abandon: (call) => run((s) => s.abandon(id(call))),
        dropLink: () => run((s) => s.dropLink()),
        restoreLink: () => run((s) => s.restoreLink()),
        injectMalformed: () => run((s) => s.sendRaw({ type: "call", call: { callId: "x", status: "exploding", legs: [] } })),
        stallNext: (op) => run((s) => s.stallNext(op)),
        sendTranscript: (call, text) => run((s) => s.transcript(id(call), { speaker: "customer", text })),
        dtmfReceived: (call) => Promise.resolve(server.dtmf.get(id(call)) ?? ""),
      },
      dispose: () => server.dispose(),
    };
  };
}
