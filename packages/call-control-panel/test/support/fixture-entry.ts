// Bundled for the browser tests: the panel (from source) with a simulator desktop.
import { createDesktop } from "@opencti/core";
import { createTabDesktop } from "@opencti/core/tabs";
import { createFakeMediaDevices, createSimulator } from "@opencti/simulator";
import * as panel from "../../src/index.ts";
import { formatPhoneNumber } from "../../src/phone-numbers.ts";

declare global {
  interface Window {
    fixture: typeof fixture;
  }
}

const fixture = { createDesktop, createTabDesktop, createSimulator, createFakeMediaDevices, panel, formatPhoneNumber };
window.fixture = fixture;
