import { describe, expect, it } from "vitest";
import { PEGA_AGENT_EVENT_NAMES, PEGA_CALL_EVENT_NAMES, PEGA_CALL_TYPES, PEGA_WORK_MODES } from "../src/index.js";
import { pegaSchemaProblems } from "./support.js";

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
