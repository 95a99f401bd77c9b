/**
 * Amazon Connect: the instance's Contact Control Panel (CCP), embedded and
 * driven through amazon-connect-streams. Options (config.json; the URL may set only showCcp):
 *   ccpUrl            required: https://<instance>.my.connect.aws/ccp-v2/ — or "fake" for a demo with no
 *                     AWS account (the fake CCP from @opencti/amazon-connect/testing, in this page);
 *                     "fake" exists only in a demo build (dev server, `vite build --mode demo`): the
 *                     production build does not contain the fake CCP
 *   region            the instance's region (needed for some SAML set-ups)
 *   loginPopup        "false" to not open Connect's login window when the agent is signed out
 *   loginUrl          SAML/SSO login URL for the popup
 *   allowFramedSoftphone, disableRingtone  "true"/"false"; ringtoneUrl
 *   ccpLoadTimeoutMs  how long the CCP may take to load (default 5000)
 *   callDataAttributes comma-separated contact attributes shown as call data (default: all)
 *   outboundQueueArn  caller-id queue for outbound calls
 *   showCcp           "true" shows the CCP iframe (bottom right); hidden otherwise
 *   backendUrl        the call-control backend (@opencti/amazon-connect-backend or your own, same JSON
 *                     contract): supervisors' monitor and barge, recording pause/resume
 *   recordedCalls     "true" when the instance's flows record every agent voice call: calls show
 *                     "Recording" with Pause (needs backendUrl; default false, nothing shown)
 *   liveTranscripts   "true": Contact Lens real-time transcripts and insights from the backend's agent
 *                     stream (needs backendUrl with an agentStream and Contact Lens configured)
 *   mediaStreamAttribute  the contact attribute your flow copies the Kinesis Video Stream ARN into
 */
import { createAmazonConnectConnector, createHttpAmazonConnectBackend, type AmazonConnectConnectorOptions } from "@opencti/amazon-connect";
import type { FakeCcp } from "@opencti/amazon-connect/testing";
import { html, render } from "lit";
// Streams as a classic script (its own chunk-free asset): no eval probe under the app's strict CSP.
import streamsScriptUrl from "amazon-connect-streams/release/connect-streams-min.js?url";
import { CUSTOMERS } from "../crm/directory.ts";
import { ConnectorUnavailableError, type ConnectorSetup, type LoadConnector } from "./types.ts";
import { drawerKit } from "./drawer.ts";

const flag = (value: string | undefined): boolean | undefined => (value === "true" ? true : value === "false" ? false : undefined);

function positive(value: string | undefined): number | undefined {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Where Streams puts the CCP iframe. Hidden unless asked: the panel drives the calls. */
function ccpContainer(show: boolean): HTMLElement {
  const container = document.createElement("div");
  container.id = "amazon-connect-ccp";
  const style = container.style;
  if (show) {
    Object.assign(style, { position: "fixed", right: "12px", bottom: "12px", width: "320px", height: "480px", border: "1px solid #d0d7de", background: "#fff", zIndex: "10" });
  } else style.display = "none";
  document.body.append(container);
  return container;
}

export const load: LoadConnector = async ({ options }) => {
  const ccpUrl = options.ccpUrl?.trim();
  if (!ccpUrl) {
    throw new ConnectorUnavailableError(
      "Amazon Connect needs a CCP URL: set options.ccpUrl in config.json to https://your-instance.my.connect.aws/ccp-v2/ (or \"fake\" for a demo without an AWS account, in a demo build).",
    );
  }
  const demo = ccpUrl === "fake";
  const container = ccpContainer(flag(options.showCcp) === true);
  let fake: FakeCcp | undefined;
  let detach: (() => void) | undefined;
  if (demo) {
    // A literal condition, so a production build drops the branch and never emits the fake CCP's chunk.
    const testing = import.meta.env.MODE === "development" || import.meta.env.MODE === "demo" ? await import("@opencti/amazon-connect/testing") : undefined;
    if (!testing) {
      container.remove();
      throw new ConnectorUnavailableError('ccpUrl "fake" (the fake CCP demo) is only in a demo build (pnpm dev, or vite build --mode demo); set ccpUrl to your instance\'s CCP.');
    }
    fake = testing.createFakeCcp({ quickConnects: CUSTOMERS.map((c) => ({ name: c.name, phoneNumber: c.phone })) });
    detach = testing.attachFakeCcp(fake, container);
  }

  const softphone: NonNullable<AmazonConnectConnectorOptions["softphone"]> = {};
  const framed = flag(options.allowFramedSoftphone);
  const noRingtone = flag(options.disableRingtone);
  if (framed !== undefined) softphone.allowFramedSoftphone = framed;
  if (noRingtone !== undefined) softphone.disableRingtone = noRingtone;
  if (options.ringtoneUrl) softphone.ringtoneUrl = options.ringtoneUrl;
  const loadTimeout = positive(options.ccpLoadTimeoutMs);
  const attributes = options.callDataAttributes
    ?.split(",")
    .map((a) => a.trim())
    .filter(Boolean);

  const connector = createAmazonConnectConnector({
    // The demo's fake CCP answers on a same-origin blank frame.
    ccpUrl: demo ? "about:blank" : ccpUrl,
    container,
    streamsScriptUrl,
    softphone,
    loginPopup: demo ? false : (flag(options.loginPopup) ?? true),
    ...(options.region ? { region: options.region } : {}),
    ...(options.loginUrl ? { loginUrl: options.loginUrl } : {}),
    ...(loadTimeout ? { ccpLoadTimeoutMs: loadTimeout } : {}),
    ...(attributes?.length ? { callDataAttributes: attributes } : {}),
    ...(options.outboundQueueArn ? { outboundQueueArn: options.outboundQueueArn } : {}),
    // Same-origin, the user's session cookie goes along: the backend knows the supervisor by it.
    ...(options.backendUrl ? { backend: createHttpAmazonConnectBackend({ url: options.backendUrl }) } : {}),
    ...(flag(options.recordedCalls) !== undefined ? { recordedCalls: flag(options.recordedCalls)! } : {}),
    ...(options.backendUrl && flag(options.liveTranscripts) ? { agentStream: true as const } : {}),
    ...(options.mediaStreamAttribute ? { mediaStreamAttribute: options.mediaStreamAttribute } : {}),
  });

  let unmount: (() => void) | undefined;
  const setup: ConnectorSetup & { fakeCcp?: FakeCcp } = {
    connector,
    ...(fake ? { fakeCcp: fake } : {}),
    ...(fake
      ? {
          mountControls: (host: HTMLElement) => {
            unmount = mountFakeCcpControls(host, fake);
          },
        }
      : {}),
    dispose: () => {
      unmount?.();
      detach?.();
      container.remove();
    },
  };
  return setup;
};

/** The demo drawer: the far end and the CCP, driven by hand. */
function mountFakeCcpControls(host: HTMLElement, fake: FakeCcp): () => void {
  const { field, act, status } = drawerKit(host, () => draw());
  const newest = (): string | undefined => fake.contactIds().at(-1);
  const withContact = (what: string, fn: (id: string) => void) =>
    act(what, () => {
      const id = newest();
      if (!id) throw new Error("There is no contact.");
      fn(id);
    });
  const ring = act("Ringing the agent", () => {
    const customer = CUSTOMERS.find((c) => c.phone === field("caller"));
    fake.ringInbound({
      from: customer?.phone ?? "+15550100",
      ...(customer ? { fromName: customer.name, attributes: { customerId: customer.id } } : {}),
      to: "+15550001000",
      queue: field("queue") || "Support",
    });
  });
  const draw = () =>
    render(
      html`<div class="controls">
        <fieldset>
          <legend>Fake CCP: inbound contact</legend>
          <label>Caller
            <select name="caller">${CUSTOMERS.map((c) => html`<option value=${c.phone}>${c.name} (${c.phone})</option>`)}</select>
          </label>
          <label>Queue <select name="queue"><option>Support</option><option>Sales</option><option>Billing</option></select></label>
          <button type="button" @click=${ring}>Ring inbound call</button>
          <button type="button" @click=${act("A chat arrived", () => void fake.ringInbound({ from: "web chat", type: "chat" }))}>Chat contact</button>
        </fieldset>
        <fieldset>
          <legend>Far end (newest contact)</legend>
          <button type="button" @click=${withContact("The far end answered", (id) => fake.remoteAnswer(id))}>Far end answers</button>
          <button type="button" @click=${withContact("The far end hung up", (id) => fake.remoteHangup(id))}>Far end hangs up</button>
          <button type="button" @click=${withContact("The caller gave up", (id) => fake.abandon(id))}>Caller abandons</button>
        </fieldset>
        <fieldset>
          <legend>CCP</legend>
          <button type="button" @click=${act("Muted in the CCP", () => fake.toggleMuteInCcp(!fake.muted))}>Toggle mute in CCP</button>
          <button type="button" @click=${act("WebSocket lost", () => fake.dropLink())}>Drop WebSocket</button>
          <button type="button" @click=${act("WebSocket back", () => fake.restoreLink())}>Restore WebSocket</button>
        </fieldset>
        <p class="muted" role="status">${status()}</p>
      </div>`,
      host,
    );
  draw();
  return () => render(html``, host);
}
