/**
 * One dynamic import per connector, written out so the bundler splits each
 * into its own chunk: the app downloads only the configured vendor's code.
 */
import { ConnectorUnavailableError, type AppConfig, type ConnectorSetup, type LoadConnector } from "./connectors/types.ts";

const connectors: Readonly<Record<string, () => Promise<{ load: LoadConnector }>>> = {
  simulator: () => import("./connectors/simulator.ts"),
  sip: () => import("./connectors/sip.ts"),
  "amazon-connect": () => import("./connectors/amazon-connect.ts"),
  twilio: () => import("./connectors/twilio.ts"),
};

export const CONNECTOR_NAMES = Object.keys(connectors);

export async function loadConnector(config: AppConfig): Promise<ConnectorSetup> {
  const importer = Object.prototype.hasOwnProperty.call(connectors, config.connector) ? connectors[config.connector] : undefined;
  if (!importer) {
    throw new ConnectorUnavailableError(`There is no connector called "${config.connector}". Choose one of: ${CONNECTOR_NAMES.join(", ")}.`);
  }
  const module = await importer();
  return module.load(config);
}
