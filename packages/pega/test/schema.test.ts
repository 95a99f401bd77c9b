import { describe, expect, it } from "vitest";
import { PEGA_AGENT_EVENT_NAMES, PEGA_CALL_EVENT_NAMES, PEGA_CALL_TYPES, PEGA_WORK_MODES } from "../src/index.js";
import { DOCUMENTED_SHAPES } from "./documented-shapes.js";
import { pegaSchemaProblems, publishedSchema, publishedSchemaProblems } from "./support.js";

const call = { pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: "c1", pyCallType: "INBOUND", pyANI: "+15550100", pyOtherDN: "+15550100", pyMedia: "Phone" };

describe("Pega event schemas (draft-06)", () => {
  it("accept a documented event and every documented enum value", () => {
    expect(pegaSchemaProblems(call)).toEqual([]);
    for (const pyEventName of PEGA_CALL_EVENT_NAMES) expect(pegaSchemaProblems({ ...call, pyEventName })).toEqual([]);
    for (const pyCallType of PEGA_CALL_TYPES) expect(pegaSchemaProblems({ ...call, pyCallType })).toEqual([]);
    const agent = { pyEventType: "AgentStateEvent", pyEventName: "Ready", pyReasonCode: "", pyWorkMode: "MODE_NONE", pyMedia: "Phone" };
    for (const pyEventName of PEGA_AGENT_EVENT_NAMES) expect(pegaSchemaProblems({ ...agent, pyEventName })).toEqual([]);
    for (const pyWorkMode of PEGA_WORK_MODES) expect(pegaSchemaProblems({ ...agent, pyWorkMode })).toEqual([]);
  });

  it("reject values outside the enums, non-strings, missing and unknown properties", () => {
    expect(pegaSchemaProblems({ ...call, pyEventName: "Ringing" })).not.toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyCallType: "inbound" })).not.toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyANI: 15550100 })).not.toEqual([]);
    const { pyCallId: _dropped, ...missing } = call;
    expect(pegaSchemaProblems(missing)).not.toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyQueue: "Support" })).not.toEqual([]);
    // The end-of-call completion: typed where it is a closed list.
    expect(pegaSchemaProblems({ ...call, pyEventName: "Disconnected", pyDisconnectReason: "busy", pyErrCode: "OPENCTI_DEST_BUSY", pyErrMessage: "User busy", pyFailureCode: "DESTINATION_BUSY", pyVendorCode: "17" })).toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyDisconnectReason: "gave_up" })).not.toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyErrCode: "DESTINATION_BUSY" })).not.toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyEventType: "Nope" })).toEqual(['unknown pyEventType "Nope"']);
    const party = { pyEventType: "PartyInfoEvent", pyEventName: "PartyInfo", pyCallId: "c1", pyThisDN: "4001", pyMedia: "Phone", pyParties: [{ pyDN: "+15550100" }] };
    expect(pegaSchemaProblems(party)).toEqual([]);
    expect(pegaSchemaProblems({ ...party, pyParties: [{ pyDN: 1 }] })).not.toEqual([]);
  });
});

describe("published schemas accept what Pega's own accept", () => {
  /** Anything with a `required` list or `additionalProperties: false`, at any depth. */
  function closed(node: unknown, path = ""): string[] {
    if (typeof node !== "object" || node === null) return [];
    const here = [...("required" in node ? [`${path}/required`] : []), ...((node as { additionalProperties?: unknown }).additionalProperties === false ? [`${path}/additionalProperties`] : [])];
    return [...here, ...Object.entries(node).flatMap(([k, v]) => closed(v, `${path}/${k}`))];
  }

  it("no schema has a required list or closes its properties, like Pega's (8.7 Call / Snapshot / PartyInfo event schemas)", () => {
    for (const name of Object.keys(DOCUMENTED_SHAPES)) expect(closed(publishedSchema(name)), name).toEqual([]);
  });

  it("a partial event, or one with a property Pega's schema does not list, validates against the published schema but not the strict check", () => {
    const partial = { pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: "c1" };
    expect(publishedSchemaProblems("CallEvent", partial)).toEqual([]);
    expect(pegaSchemaProblems(partial)).not.toEqual([]);
    const extra = { ...call, pyQueue: "Support" };
    expect(publishedSchemaProblems("CallEvent", extra)).toEqual([]);
    expect(pegaSchemaProblems(extra)).not.toEqual([]);
    expect(publishedSchemaProblems("PartyInfo", { pyEventType: "PartyInfoEvent", pyEventName: "PartyInfo", pyCallId: "", pyParties: [{ pyDN: "4002", pyRole: "agent" }] })).toEqual([]);
    expect(publishedSchemaProblems("CallEvent", { pyCallId: "" })).toEqual([]);
    expect(pegaSchemaProblems({ ...call, pyCallId: "" })).not.toEqual([]);
  });

  it("pyEventType and pyEventName are strings as Pega declares them; the Snapshot lists Pega's five event types", () => {
    expect(publishedSchemaProblems("PartyInfo", { pyEventType: "PartyInfoEvent", pyEventName: "Anything" })).toEqual([]);
    for (const pyEventType of ["SnapshotEvent", "AgentStateEvent", "CallStateEvent", "PartyInfoEvent", "CallInfoEvent"]) expect(publishedSchemaProblems("Snapshot", { pyEventType }), pyEventType).toEqual([]);
    expect(publishedSchemaProblems("Snapshot", { pyEventType: "VoiceEvent" })).not.toEqual([]);
  });

  it("still refuses what Pega's refuse: non-strings and values outside Pega's enums", () => {
    expect(publishedSchemaProblems("CallEvent", { pyANI: 15550100 })).not.toEqual([]);
    expect(publishedSchemaProblems("CallEvent", { pyCallType: "inbound" })).not.toEqual([]);
    expect(publishedSchemaProblems("CallEvent", { pyEventName: "Ringing" })).not.toEqual([]);
    expect(publishedSchemaProblems("Snapshot", { pyDeviceState: "OPEN" })).not.toEqual([]);
    expect(publishedSchemaProblems("PartyInfo", { pyParties: [{ pyDN: 1 }] })).not.toEqual([]);
    expect(publishedSchemaProblems("CallInfo", { pyUserData: { a: 1 } })).not.toEqual([]);
  });
});
