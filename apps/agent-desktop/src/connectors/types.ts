/**
 * How the sample app loads a connector. Each file beside this one
 * (simulator.ts, sip.ts, amazon-connect.ts, twilio.ts) exports `load`, and the
 * app imports only the configured one, lazily, so a build ships one vendor.
 */
import type { Connector, LoginRequest } from "@opencti/core";

export interface AppConfig {
  /** "simulator" | "sip" | "amazon-connect" | "twilio". */
  readonly connector: string;
  /** Connector settings: config.json's, with the few the URL may set over them (config.ts URL_OPTIONS). */
  readonly options: Readonly<Record<string, string>>;
  /** One softphone across the agent's tabs (config.json's `"shareAcrossTabs": true` only; see @opencti/core/tabs). */
  readonly shareAcrossTabs?: boolean;
}

export interface ConnectorSetup {
  readonly connector: Connector;
  /** What the panel's login sends (agent id, extension, …). */
  readonly login?: LoginRequest;
  /** Extra controls the app shows in a drawer (the simulator's far-end buttons). */
  mountControls?(host: HTMLElement): void;
  /** Anything the connector setup started besides the connector itself. */
  dispose?(): void | Promise<void>;
}

export type LoadConnector = (config: AppConfig) => Promise<ConnectorSetup>;

/** Thrown by a loader whose connector is not built or not configured; the app shows the message. */
export class ConnectorUnavailableError extends Error {
  override readonly name = "ConnectorUnavailableError";
}
