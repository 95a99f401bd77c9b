// Shared by every package's vitest config: tests import sibling packages
// (and their ./testing subpaths) from source, so `vitest` works unbuilt.
// A package's folder name is its name without the @opencti/ scope.
import { fileURLToPath } from "node:url";

const packages = fileURLToPath(new URL("./packages/", import.meta.url));

export const sourceAliases = [
  { find: /^@opencti\/core\/connector$/, replacement: `${packages}core/src/toolkit/index.ts` },
  { find: /^@opencti\/([a-z0-9-]+)\/testing$/, replacement: `${packages}$1/src/testing/index.ts` },
  { find: /^@opencti\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` },
];
