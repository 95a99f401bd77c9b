// Shared by every package's vitest config: tests import sibling packages
// from source, so `vitest` works without building first.
import { fileURLToPath } from "node:url";

const src = (path: string): string => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export const sourceAliases = [
  { find: /^@opencti\/core$/, replacement: src("core/src/index.ts") },
  { find: /^@opencti\/simulator$/, replacement: src("simulator/src/index.ts") },
  { find: /^@opencti\/testkit$/, replacement: src("testkit/src/index.ts") },
];
