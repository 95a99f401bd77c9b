/**
 * SIPp scenarios for the far end, generated per use. They are dialog-correct
 * through a proxy (Record-Route, route sets, a proxy's CANCEL) and the test
 * driver steers them mid-call with "poke" requests: SIP requests with an
 * extension method (XANSWER, XHANGUP, XABANDON, XMISS, XHOLD, XHOLDLATE, XRESUME, XSTALL) sent over UDP
 * with the call's Call-ID. What the far end saw is written with <log> lines
 * ("INFO <call-id> 5", "REINVITE <call-id> sendonly", "REFER <call-id> <to>").
 */

export interface CallerSpec {
  /** The caller's user part (ANI), e.g. +15550100001. */
  readonly from: string;
  readonly fromName?: string;
  /** The To user (DNIS); the R-URI is always the agent. */
  readonly to?: string;
  /** Extra header lines, e.g. ["X-Data-customerId", "C-42"]. */
  readonly headers?: readonly (readonly [string, string])[];
  /** Replace the SDP offer (to send something malformed). */
  readonly body?: { readonly contentType: string; readonly content: string };
}

/**
 * A WebRTC-shaped SDP offer (ICE credentials, DTLS fingerprint, RTP/SAVPF), for
 * a SIPp caller ringing a browser agent: browsers refuse plain RTP offers.
 * Signalling completes; no media flows (nothing answers ICE checks).
 */
export function webRtcStyleOffer(): string {
  const hex = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) % 256).toString(16).padStart(2, "0").toUpperCase()).join(":");
  return `v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=msid-semantic: WMS
m=audio 9 UDP/TLS/RTP/SAVPF 0 101
c=IN IP4 0.0.0.0
a=rtcp:9 IN IP4 0.0.0.0
a=ice-ufrag:oPcT
a=ice-pwd:openctiopenctiopenctiop1
a=fingerprint:sha-256 ${hex}
a=setup:actpass
a=mid:0
a=sendrecv
a=rtcp-mux
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
`;
}

/** Text placed in a scenario must not contain SIPp keyword brackets, CDATA ends or line breaks. */
function clean(text: string, what: string): string {
  if (/[[\]\r\n]|]]>/.test(text)) throw new Error(`${what} cannot contain brackets or line breaks: ${JSON.stringify(text)}`);
  return text;
}

const sdp = (direction: string, version: number): string => `v=0
o=sipp 53655765 ${version} IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 49170 RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=${direction}
`;

/** What a proxy answers a BYE it cannot deliver with (Kamailio: 500 when the agent's connection is gone), sometimes twice. */
const BYE_FAILURES = [404, 408, 477, 478, 480, 500, 502, 503];

/** The remote target (RFC 3261 12.2): the agent's Contact, updated by every target refresh (its re-INVITEs). */
const TARGET = '<ereg regexp="sip:[^>]*" search_in="hdr" header="Contact:" check_it="true" assign_to="target"/>';

const xml = (name: string, body: string): string => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">
${body}
</scenario>
`;

const send = (message: string, attrs = ""): string => `  <send${attrs}>
    <![CDATA[
${message
  .trim()
  .split("\n")
  .map((l) => `      ${l}`)
  .join("\n")}

    ]]>
  </send>`;

/**
 * How a far end answers one-touch-record INFOs (`Record: on|off`, no body): "accept" answers 200 and
 * logs "RECORD <call-id> off"; "verify" expects `off` first, then `on`, alternating (RECORDOFF /
 * RECORDON, 200), and answers anything else 400 (RECORDBAD); "refuse" answers 403 as Asterisk does
 * for an endpoint without one_touch_recording (RECORDREFUSED).
 */
export type RecordMode = "accept" | "verify" | "refuse";

function recordInfo(mode: RecordMode): string {
  const status = (code: string, log: string, next = "talk"): string => `  <nop><action><log message="${log} [call_id] [$rec]"/></action></nop>
${send(`SIP/2.0 ${code}
${echoed()}
Content-Length: 0`, ` next="${next}"`)}`;
  if (mode === "accept") return `  <label id="recordinfo"/>\n${status("200 OK", "RECORD")}`;
  if (mode === "refuse") return `  <label id="recordinfo"/>\n${status("403 Forbidden", "RECORDREFUSED")}`;
  // "paused" says an off was verified, so the next must be on.
  return `  <label id="recordinfo"/>
  <nop><action><strcmp assign_to="cmp" variable="rec" value="off"/><test assign_to="isoff" variable="cmp" compare="equal" value="0"/><strcmp assign_to="cmp" variable="rec" value="on"/><test assign_to="ison" variable="cmp" compare="equal" value="0"/></action></nop>
  <nop next="recordexpecton" test="paused"/>
  <nop next="recordoff" test="isoff"/>
  <nop next="recordbad"/>
  <label id="recordexpecton"/>
  <nop next="recordon" test="ison"/>
  <nop next="recordbad"/>
  <label id="recordoff"/>
  <nop><action><test assign_to="paused" variable="cmp" compare="not_equal" value="0"/></action></nop>
${status("200 OK", "RECORDOFF")}
  <label id="recordon"/>
  <nop><action><test assign_to="paused" variable="cmp" compare="equal" value="1"/></action></nop>
${status("200 OK", "RECORDON")}
  <label id="recordbad"/>
${status("400 Expected Record off then on", "RECORDBAD")}`;
}

/** The headers a response copies from the request it answers (`toTag`: ours, on a response that starts the dialog). */
const echoed = (toTag = ""): string => `[last_Via:]
[last_From:]
[last_To:]${toTag}
[last_Call-ID:]
[last_CSeq:]`;

/** `next` on the send itself: a `<nop next>` after it leaves a moment in which SIPp takes a request arriving for the nop and aborts the call. */
const okFor = (extra = "", next = ""): string =>
  send(`SIP/2.0 200 OK
${echoed()}
Contact: <sip:farend@[local_ip]:[local_port]>${extra ? `\n${extra}` : ""}
Content-Length: 0`, next ? ` next="${next}"` : "");

/** The 200 OK to a re-INVITE, with our answer SDP in `direction`. */
const reinviteOk = (direction: string, next: string): string =>
  send(`SIP/2.0 200 OK
${echoed()}
Contact: <sip:farend@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

${sdp(direction, 2)}`, ` next="${next}"`);

/**
 * The in-dialog part both ends share: answer the agent's re-INVITEs (mirroring
 * hold), INFO and REFER; on pokes hang up or put the agent on hold.
 * `me`/`peer` are the From/To values for requests this end sends.
 */
function talk(me: string, peer: string, record: RecordMode = "accept"): string {
  const request = (method: string, extra: string, body?: string): string =>
    send(`${method} [$target] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: ${me}
To: ${peer}
Call-ID: [call_id]
CSeq: [cseq] ${method}
[routes]
Contact: <sip:farend@[local_ip]:[local_port]>
Max-Forwards: 70
${extra}${body === undefined ? "Content-Length: 0" : `Content-Length: [len]\n\n${body}`}`);
  // The agent may still be in another INVITE transaction (its ACK crossing ours through the proxy's
  // workers): it answers 500 (or 491 on glare), which we ACK and try again shortly (RFC 3261 14.1).
  // `ackAfterMs`: the ACK to the 200 waits that long (XHOLDLATE), so the agent's side is still inside this INVITE transaction.
  const reinvite = (dir: string, label: string, ackAfterMs = 0): string => `  <label id="${label}"/>
${request("INVITE", "Content-Type: application/sdp\n", sdp(dir, 3))}
  <recv response="100" optional="true"/>
  <recv response="500" optional="true" next="${label}again">
    <action><ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="ackcseq"/></action>
  </recv>
  <recv response="491" optional="true" next="${label}again">
    <action><ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="ackcseq"/></action>
  </recv>
  <recv response="200">
    <action>
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="ackcseq"/>
      <ereg regexp="a=(sendrecv|sendonly|recvonly|inactive)" search_in="body" check_it="true" assign_to="adir"/>
      <log message="ANSWER [call_id] [$adir]"/>
    </action>
  </recv>
${ackAfterMs ? `  <pause milliseconds="${ackAfterMs}"/>` : ""}
${send(`ACK [$target] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: ${me}
To: ${peer}
Call-ID: [call_id]
CSeq: [$ackcseq] ACK
[routes]
Max-Forwards: 70
Content-Length: 0`)}
  <nop next="talk"><action><log message="${label.toUpperCase()} [call_id]"/></action></nop>
  <label id="${label}again"/>
${send(`ACK [$target] SIP/2.0
[last_Via:]
From: ${me}
[last_To:]
Call-ID: [call_id]
CSeq: [$ackcseq] ACK
[routes]
Max-Forwards: 70
Content-Length: 0`)}
  <pause milliseconds="200"/>
  <nop next="${label}"/>`;
  // The agent's re-INVITE: a target refresh; its direction logged and kept for our answer.
  const reinviteSeen = `
    <action>
      ${TARGET}
      <ereg regexp="a=(sendrecv|sendonly|recvonly|inactive)" search_in="body" check_it="true" assign_to="dir"/>
      <log message="REINVITE [call_id] [$dir]"/>
      <strcmp assign_to="cmp" variable="dir" value="a=sendonly"/>
      <test assign_to="held" variable="cmp" compare="equal" value="0"/>
    </action>
  `;
  // XREFUSE<code>: every re-INVITE from the agent is refused with that status, until the far end's own re-INVITE (XRESUME).
  const refuse = (code: number, phrase: string): string => `  <label id="refuse${code}"/>
  <recv request="ACK" optional="true" next="refuse${code}"/>
  <recv request="XRESUME" optional="true" next="farresume"/>
  <recv request="XHANGUP" optional="true" next="hangup"/>
  <recv request="BYE" optional="true" next="byed"/>
  <recv request="INVITE" next="refusing${code}">
    <action><ereg regexp="a=(sendrecv|sendonly|recvonly|inactive)" search_in="body" check_it="true" assign_to="dir"/><log message="REFUSEDREINVITE [call_id] ${code} [$dir]"/></action>
  </recv>
  <label id="refusing${code}"/>
${send(`SIP/2.0 ${code} ${phrase}
${echoed()}
Content-Length: 0`)}
  <recv request="ACK" next="refuse${code}"/>`;
  // After a BYE that never arrived (the agent's connection was gone), the dialog is over here: 481 to anything in it.
  const noDialog = send(`SIP/2.0 481 Call/Transaction Does Not Exist
${echoed()}
Content-Length: 0`);
  const accepted = send(`SIP/2.0 202 Accepted
${echoed()}
Contact: <sip:farend@[local_ip]:[local_port]>
Content-Length: 0`);
  return `  <label id="talk"/>
  <recv request="ACK" optional="true" next="talk"><action><log message="ACKED [call_id]"/></action></recv>
  <recv request="BYE" optional="true" next="byed"/>
  <recv request="INFO" optional="true" next="info">
    <action>
      <ereg regexp="Signal=[0-9A-D*#]" search_in="body" check_it="false" assign_to="sig"/>
      <ereg regexp="[^ ]+" search_in="hdr" header="Record:" check_it="false" assign_to="rec"/>
    </action>
  </recv>
  <recv request="REFER" optional="true" next="refer">
    <action><ereg regexp="[^ ].*" search_in="hdr" header="Refer-To:" check_it="true" assign_to="referto"/><log message="REFER [call_id] [$referto]"/></action>
  </recv>
  <recv request="XHOLD" optional="true" next="farhold"/>
  <recv request="XRESUME" optional="true" next="farresume"/>
  <recv request="XHOLDLATE" optional="true" next="farholdlate"/>
  <recv request="XHANGUP" optional="true" next="hangup"/>
  <recv request="XSTALL" optional="true" next="stall"/>
  <recv request="XSLOW" optional="true" next="slow"/>
  <recv request="XREFUSE488" optional="true" next="refuse488"/>
  <recv request="XREFUSE491" optional="true" next="refuse491"/>
  <recv request="XREFUSE500" optional="true" next="refuse500"/>
  <recv request="INVITE" next="reinvite">${reinviteSeen}</recv>

  <label id="reinvite"/>
  <nop next="reinvitehold" test="held"/>
${reinviteOk("sendrecv", "talk")}
  <label id="reinvitehold"/>
${reinviteOk("recvonly", "talk")}

  <label id="info"/>
  <nop next="recordinfo" test="rec"/>
  <nop><action><log message="INFO [call_id] [$sig]"/></action></nop>
${okFor("", "talk")}

${recordInfo(record)}

  <label id="refer"/>
${accepted}
${request("NOTIFY", "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag;version=2.0\n", "SIP/2.0 200 OK\n")}
  <recv response="200" next="talk"/>

${reinvite("sendonly", "farhold")}
${reinvite("sendrecv", "farresume")}
${reinvite("sendonly", "farholdlate", 1000)}

  <label id="slow"/>
  <recv request="ACK" optional="true" next="slow"/>
  <recv request="INVITE">${reinviteSeen}</recv>
${send(`SIP/2.0 100 Trying
${echoed()}
Content-Length: 0`)}
  <pause milliseconds="2500"/>
  <nop next="reinvite"/>

${refuse(488, "Not Acceptable Here")}
${refuse(491, "Request Pending")}
${refuse(500, "Server Internal Error")}

  <label id="stall"/>
  <recv request="INVITE" optional="true" next="stall"><action><log message="STALLED [call_id]"/></action></recv>
  <recv request="XRESUME" optional="true" next="farresume"/>
  <recv request="XHANGUP" optional="true" next="stallhangup"/>
  <recv request="REFER" optional="true" next="stallrefer">
    <action><ereg regexp="[^ ].*" search_in="hdr" header="Refer-To:" check_it="true" assign_to="referto"/><log message="REFER [call_id] [$referto]"/></action>
  </recv>
  <recv request="BYE" next="byed"/>

  <label id="stallrefer"/>
${accepted}
  <nop next="stall"/>

  <label id="hangup"/>
${request("BYE", "")}
${BYE_FAILURES.map((code) => `  <recv response="${code}" optional="true" next="byefailed"><action><log message="BYEFAILED [call_id] ${code}"/></action></recv>`).join("\n")}
  <recv response="200"/>
  <nop next="end"><action><log message="HUNGUP [call_id]"/></action></nop>

  <label id="byefailed"/>
  <label id="gone"/>
${BYE_FAILURES.map((code) => `  <recv response="${code}" optional="true" next="gone"/>`).join("\n")}
  <recv request="BYE" optional="true" next="gonebye"/>
  <recv request="INVITE" next="goneinvite"><action><log message="GONE [call_id]"/></action></recv>
  <label id="goneinvite"/>
${noDialog}
  <recv request="ACK" next="gone"/>
  <label id="gonebye"/>
${noDialog}
  <nop next="end"/>

  <label id="stallhangup"/>
${request("BYE", "")}
  <label id="stallbye"/>
  <recv request="INVITE" optional="true" next="stallbye"/>
  <recv response="200"/>
  <nop next="end"><action><log message="HUNGUP [call_id]"/></action></nop>

  <label id="byed"/>
${okFor()}
  <nop next="end"><action><log message="BYE [call_id]"/></action></nop>
  <label id="end"/>`;
}

/** A caller (UAC) that rings the agent: answered, refused, abandoned on XABANDON, or cancelled as a ring timeout on XMISS. */
export function callerScenario(spec: CallerSpec): string {
  const name = spec.fromName ? `"${clean(spec.fromName, "fromName").replace(/(["\\])/g, "\\$1")}" ` : "";
  const from = clean(spec.from, "from");
  const to = `<sip:${spec.to === undefined ? "[service]" : clean(spec.to, "to")}@[remote_ip]:[remote_port]>`;
  const fromHeader = `${name}<sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]`;
  const headers = (spec.headers ?? []).map(([k, v]) => `${clean(k, "header name")}: ${clean(v, "header value")}\n`).join("");
  const body = spec.body ?? { contentType: "application/sdp", content: sdp("sendrecv", 1) };
  const inviteBranch = "z9hG4bK-[pid]-invite-[call_number]";
  const refused = [408, 480, 486, 488, 404, 603]
    .map((code) => `  <recv response="${code}" optional="true" next="refused"><action><log message="REFUSED [call_id] ${code}"/></action></recv>`)
    .join("\n");
  const ackNon2xx = (label: string): string =>
    send(`ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch}
From: ${fromHeader}
To: ${to};[$${label}]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`);
  // CANCEL the INVITE: the caller gave up (abandon), or a ring timer did, saying so in an RFC 3326 Reason (miss).
  const cancel = (label: string, log: string, reason: string): string => `  <label id="${label}"/>
${send(`CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch}
From: ${fromHeader}
To: ${to}
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
${reason}Content-Length: 0`)}
  <recv response="180" optional="true"/>
  <recv response="200"/>
  <recv response="487"><action><ereg regexp="tag=[^;> ]+" search_in="hdr" header="To:" check_it="true" assign_to="ctag"/><log message="${log} [call_id]"/></action></recv>
${ackNon2xx("ctag")}`;
  return xml(
    "opencti-caller",
    `${send(
      `INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch}
From: ${fromHeader}
To: ${to}
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:farend@[local_ip]:[local_port]>
Max-Forwards: 70
${headers}Content-Type: ${clean(body.contentType, "content type")}
Content-Length: [len]

${body.content}`,
      ' retrans="500"',
    )}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"><action><log message="RINGING [call_id]"/></action></recv>
  <recv response="183" optional="true"/>
  <recv request="XABANDON" optional="true" next="abandon"/>
  <recv request="XMISS" optional="true" next="miss"/>
${refused.replace(/<action>/g, '<action><ereg regexp="tag=[^;> ]+" search_in="hdr" header="To:" check_it="false" assign_to="rtag"/>')}
  <recv response="200" rrs="true">
    <action>${TARGET}<ereg regexp="tag=[^;> ]+" search_in="hdr" header="To:" check_it="true" assign_to="totag"/><log message="ANSWERED [call_id]"/></action>
  </recv>
${send(`ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: ${fromHeader}
To: ${to};[$totag]
Call-ID: [call_id]
CSeq: 1 ACK
[routes]
Max-Forwards: 70
Content-Length: 0`)}
${talk(fromHeader, `${to};[$totag]`)}
  <nop next="done"/>

  <label id="refused"/>
${ackNon2xx("rtag")}
  <nop next="done"/>

${cancel("abandon", "ABANDONED", "")}
  <nop next="done"/>

${cancel("miss", "MISSED", 'Reason: SIP;cause=480;text="NO_ANSWER"\n')}
  <label id="done"/>`,
  );
}

export type CalleeMode = "poke" | "auto" | "early" | "busy" | "notFound" | "unavailable" | "recordCheck" | "recordRefused";

/** The callees that answer at once, and how each answers Record INFOs (see RecordMode). */
const AUTO_ANSWER: Partial<Record<CalleeMode, RecordMode>> = { auto: "accept", recordCheck: "verify", recordRefused: "refuse" };

/** The early callee's answer, in its 183 and again in its 200 (RFC 3264: the same answer); `s=` marks it. */
export const EARLY_MEDIA_SDP = sdp("sendrecv", 1).replace("s=-", "s=opencti-early-media");

/** The final failure a refusing callee answers with, and what it logs once the ACK arrives. */
const REFUSALS: Partial<Record<CalleeMode, { status: string; log: string }>> = {
  busy: { status: "486 Busy Here", log: "BUSY" },
  notFound: { status: "404 Not Found", log: "NOTFOUND" },
  // Early media first (183 with SDP), then the far end's network gives up.
  unavailable: { status: "503 Service Unavailable", log: "UNAVAILABLE" },
};

/**
 * A callee (UAS) serving any number of calls: it rings (180; "early": 183
 * with SDP, early media), then answers on XANSWER ("poke", "early"), at once ("auto"), or refuses: busy (486), notFound (404),
 * unavailable (183 with SDP, then 503; a proxy relays it as 500). "recordCheck" and "recordRefused" answer
 * at once like "auto" and check one-touch-record INFOs (RecordMode "verify") or refuse them with 403.
 */
export function calleeScenario(mode: CalleeMode): string {
  const invite = `  <recv request="INVITE" rrs="true" crlf="true">
    <action>
      <ereg regexp="Via: [^\\r\\n]*(\\r\\nVia: [^\\r\\n]*)*" search_in="msg" check_it="true" assign_to="vias"/>
      <ereg regexp="Record-Route: [^\\r\\n]*(\\r\\nRecord-Route: [^\\r\\n]*)*" search_in="msg" check_it="true" assign_to="rrs"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="From:" check_it="true" assign_to="ifrom"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="To:" check_it="true" assign_to="ito"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="CSeq:" check_it="true" assign_to="icseq"/>
      <ereg regexp="X-Data-[^\\r\\n]*" search_in="msg" check_it="false" assign_to="xdata"/>
      ${TARGET}
      <log message="INVITE [call_id]"/>
      <log message="INVITEDATA [call_id] [$xdata]"/>
    </action>
  </recv>`;
  const myTag = "tag=[pid]SIPpTag01[call_number]";
  /** A 183 with SDP (early media) to the INVITE just received. */
  const sessionProgress = (body: string): string =>
    send(`SIP/2.0 183 Session Progress
${echoed(`;${myTag}`)}
[last_Record-Route:]
Contact: <sip:farend@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

${body}`);
  const refusal = REFUSALS[mode];
  if (refusal) {
    const early =
      mode === "unavailable"
        ? sessionProgress(sdp("sendrecv", 1))
        : "";
    return xml(
      `opencti-callee-${mode}`,
      `  <recv request="INVITE" crlf="true"><action><log message="INVITE [call_id]"/></action></recv>
${early}
${send(`SIP/2.0 ${refusal.status}
${echoed(`;${myTag}`)}
Content-Length: 0`)}
  <recv request="ACK"><action><log message="${refusal.log} [call_id]"/></action></recv>`,
    );
  }
  const fromInvite = (status: string, extra: string): string =>
    send(`SIP/2.0 ${status}
[$vias]
From: [$ifrom]
To: [$ito];${myTag}
Call-ID: [call_id]
CSeq: [$icseq]
[$rrs]
Contact: <sip:farend@[local_ip]:[local_port]>
${extra}`);
  return xml(
    `opencti-callee-${mode}`,
    `${invite}
${
  mode === "early"
    ? sessionProgress(EARLY_MEDIA_SDP)
    : send(`SIP/2.0 180 Ringing
${echoed(`;${myTag}`)}
[last_Record-Route:]
Contact: <sip:farend@[local_ip]:[local_port]>
Content-Length: 0`)
}
${AUTO_ANSWER[mode] ? '  <nop next="answer"/>' : ""}
  <recv request="XANSWER" optional="true" next="answer"/>
  <recv request="CANCEL" next="cancelled"/>

  <label id="answer"/>
${fromInvite("200 OK", `Content-Type: application/sdp\nContent-Length: [len]\n\n${mode === "early" ? EARLY_MEDIA_SDP : sdp("sendrecv", 1)}`).replace("<send>", '<send retrans="500">')}
  <recv request="ACK" crlf="true"><action><log message="ANSWERED [call_id]"/></action></recv>
${talk(`[$ito];${myTag}`, "[$ifrom]", AUTO_ANSWER[mode] ?? "accept")}
  <nop next="done"/>

  <label id="cancelled"/>
${okFor()}
${fromInvite("487 Request Terminated", "Content-Length: 0")}
  <recv request="ACK"><action><log message="CANCELLED [call_id]"/></action></recv>
  <label id="done"/>`,
  );
}

/**
 * The lab's feature server: what a PBX's spy feature code (Asterisk ChanSpy behind `*222`) is to a
 * supervisor, for any number of calls. Kamailio routes every R-URI user starting with `*` here. It logs
 * the R-URI's user ("MONITOR <call-id> *2221001"), answers users of `*` and digits only (a prefix and an
 * extension) at once, and refuses others 404 (no such extension: MONITORUNKNOWN). In the session it
 * answers INFO (DTMF logged as "INFO <call-id> Signal=5") and BYE like the other far ends.
 */
export function featureServerScenario(): string {
  const myTag = "tag=[pid]SIPpTag02[call_number]";
  return xml(
    "opencti-feature-server",
    `  <recv request="INVITE" rrs="true" crlf="true">
    <action>
      <ereg regexp="Via: [^\\r\\n]*(\\r\\nVia: [^\\r\\n]*)*" search_in="msg" check_it="true" assign_to="vias"/>
      <ereg regexp="Record-Route: [^\\r\\n]*(\\r\\nRecord-Route: [^\\r\\n]*)*" search_in="msg" check_it="true" assign_to="rrs"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="From:" check_it="true" assign_to="ifrom"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="To:" check_it="true" assign_to="ito"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="CSeq:" check_it="true" assign_to="icseq"/>
      <ereg regexp="[*][^@ ;>]*" search_in="msg" check_it="true" assign_to="ruser"/>
      <ereg regexp="^INVITE sips?:[*][0-9]+@" search_in="msg" check_it="false" assign_to="known"/>
      ${TARGET}
      <log message="INVITE [call_id]"/>
      <log message="MONITOR [call_id] [$ruser]"/>
    </action>
  </recv>
  <nop next="answer" test="known"/>
${send(`SIP/2.0 404 Not Found
${echoed(`;${myTag}`)}
Content-Length: 0`)}
  <recv request="ACK" next="done"><action><log message="MONITORUNKNOWN [call_id]"/></action></recv>

  <label id="answer"/>
${send(`SIP/2.0 200 OK
[$vias]
From: [$ifrom]
To: [$ito];${myTag}
Call-ID: [call_id]
CSeq: [$icseq]
[$rrs]
Contact: <sip:farend@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

${sdp("sendrecv", 1)}`, ' retrans="500"')}
  <recv request="ACK" crlf="true"><action><log message="ANSWERED [call_id]"/></action></recv>
${talk(`[$ito];${myTag}`, "[$ifrom]")}
  <label id="done"/>`,
  );
}
