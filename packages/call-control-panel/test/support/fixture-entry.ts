// Bundled for the browser tests: the panel (from source) with a simulator desktop.
import { createDesktop } from "@opencti/core";
import { createSimulator } from "@opencti/simulator";
import * as panel from "../../src/index.ts";

declare global {
  interface Window {
    fixture: typeof fixture;
  }
}

const fixture = { createDesktop, createSimulator, panel };
window.fixture = fixture;
