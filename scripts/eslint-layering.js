// The house's layering, as eslint `no-restricted-imports` blocks (used by
// eslint.config.js; scripts/eslint-layering.test.ts proves each rule fires):
// - core imports no vendor SDK and no other package;
// - connectors, the panel and the Pega adapter import only core, never each other;
// - nothing imports another package's src/ (use its package name or ./testing).

const VENDOR_SDK = "^(sip\\.js|amazon-connect-streams|@twilio/[^/]+|twilio|lit)(/|$)";
const ONLY_CORE = { group: ["@opencti/*", "!@opencti/core", "!@opencti/core/*"], message: "Only @opencti/core: connectors, the panel and the Pega adapter never import each other." };
const OTHER_SRC = { regex: "^(\\.\\./)+(?!\\.\\.)(packages/)?[^/]+/src(/|$)", message: "Import another package by its name (or its ./testing export), never its src/." };
const SOURCE = (pkg) => [`packages/${pkg}/src/**/*.{ts,js}`];
const NOT_TESTS = ["**/*.test.ts", "**/testing/**"];

const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

/** Flat-config blocks; later blocks for the same files replace the rule, so each block lists all its patterns. */
export const layering = [
  { files: ["{packages,apps}/*/{src,test}/**/*.{ts,js}"], rules: restrict(OTHER_SRC) },
  {
    files: SOURCE("core"),
    rules: restrict(OTHER_SRC, { group: ["@opencti/*"], message: "Core depends on no other package." }, { regex: VENDOR_SDK, message: "Core has no vendor knowledge: no vendor SDK or UI library." }),
  },
  {
    files: ["simulator", "sip", "amazon-connect", "twilio", "pega", "call-control-panel"].flatMap(SOURCE),
    ignores: NOT_TESTS,
    rules: restrict(OTHER_SRC, ONLY_CORE),
  },
  {
    files: ["simulator", "pega", "call-control-panel"].flatMap(SOURCE),
    ignores: NOT_TESTS,
    rules: restrict(OTHER_SRC, ONLY_CORE, { regex: VENDOR_SDK.replace("|lit", ""), message: "No vendor SDK here: vendor code lives in its connector." }),
  },
];
