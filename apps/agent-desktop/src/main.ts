/**
 * The sample agent desktop: the Call Control Panel, a small CRM and an event
 * timeline, on the connector config.json names (or, when it names none, the URL).
 */
import { de, defineCallControlPanel, es, registerLocale } from "@opencti/call-control-panel";
import { createDesktop, type Desktop } from "@opencti/core";
import { createTabDesktop } from "@opencti/core/tabs";
import type { AppConfig, ConnectorSetup } from "./connectors/types.ts";
import { mountCrm } from "./crm/crm-view.ts";
import { byId, startPage } from "./page.ts";
import { mountTimeline } from "./timeline.ts";
import "./styles.css";

declare global {
  interface Window {
    /** The running app, for the browser console and the end-to-end tests. */
    __opencti?: { config: AppConfig; desktop?: Desktop; setup?: ConnectorSetup; error?: string };
  }
}

async function main(): Promise<void> {
  const started = await startPage({ link: { id: "supervisor-link", path: "supervisor.html" } });
  if (!started) return;
  const { config, setup } = started;

  // One softphone across the agent's tabs when config.json asks for it: only the owner tab runs the connector.
  const desktop: Desktop & { tab?: { role: string } } = config.shareAcrossTabs ? await createTabDesktop({ connector: setup.connector, name: tabSessionName(config, setup) }) : createDesktop({ connector: setup.connector });
  window.__opencti = { config, desktop, setup };

  defineCallControlPanel();
  // The panel in German or Spanish too: ?lang=de or ?lang=es (or the browser's language).
  registerLocale("de", de);
  registerLocale("es", es);
  const panel = document.createElement("opencti-call-control-panel");
  panel.locale = new URLSearchParams(location.search).get("lang") ?? navigator.language;
  panel.alerts = ringAlerts(config);
  panel.desktop = desktop;
  if (setup.login) panel.loginRequest = setup.login;
  // Numbers for people (libphonenumber-js): its own chunk, loaded after the panel shows.
  void import("@opencti/call-control-panel/phone-numbers").then(({ formatPhoneNumber }) => {
    panel.formatNumber = formatPhoneNumber;
  });
  byId("panel-column").append(panel);

  mountCrm(byId("crm"), desktop, panel);
  mountTimeline(byId("timeline"), desktop);
  // The drawer drives the far end of the session this tab runs: a follower tab has none until it takes over.
  const mountDrawer = (): void => {
    if (!setup.mountControls || desktop.tab?.role === "follower" || !byId("controls-drawer").hidden) return;
    byId("controls-drawer").hidden = false;
    setup.mountControls(byId("controls"));
  };
  mountDrawer();
  if (desktop.tab) desktop.on("link.changed", mountDrawer);
  byId("app").hidden = false;

  window.addEventListener("pagehide", () => {
    // The connector stops before what its setup started (the simulator's server, the CCP's container) goes.
    void desktop.destroy().finally(() => setup.dispose?.());
  });
  // Back from the back/forward cache: the desktop was destroyed on pagehide; start afresh.
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
}

/** One shared session per connector and agent (two agents signed in in one browser profile do not mirror each other). */
function tabSessionName(config: AppConfig, setup: ConnectorSetup): string {
  const who = setup.login?.agentId ?? setup.login?.extension ?? config.options.uri ?? config.options.identity ?? "";
  return who ? `${config.connector}:${who}` : config.connector;
}

/**
 * The panel's ring alerts: its own tone only where the vendor's SDK plays
 * none (Twilio's Voice SDK rings by default; Connect's softphone unless
 * `disableRingtone`), a title flash, and desktop notifications once the agent
 * turns them on.
 */
function ringAlerts(config: AppConfig): string {
  // (Not the demo transports: the Twilio emulator's sounds are silent, the fake CCP has no softphone.)
  const { signalingUrl, disableRingtone, ccpUrl } = config.options;
  const vendorRings = (config.connector === "twilio" && !signalingUrl) || (config.connector === "amazon-connect" && disableRingtone !== "true" && ccpUrl !== "fake");
  return vendorRings ? "title notification" : "tone title notification";
}

void main();
