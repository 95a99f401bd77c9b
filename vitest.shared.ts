// Shared by every package's vitest config and by the tests that bundle a page
// with esbuild: sibling packages (their ./testing and core's subpaths too)
// resolve to source, so tests work unbuilt. A package's folder name is its
// name without the @opencti/ scope.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const packages = fileURLToPath(new URL("./packages/", import.meta.url));

/** Subpath exports whose source is not `src/<subpath>/index.ts`'s convention. */
const SUBPATHS: Record<string, string> = {
  "@opencti/core/connector": "core/src/toolkit/index.ts",
  "@opencti/core/logging": "core/src/logging.ts",
  "@opencti/core/tabs": "core/src/tabs/index.ts",
  "@opencti/call-control-panel/phone-numbers": "call-control-panel/src/phone-numbers.ts",
};

/** For vite/vitest `resolve.alias`. */
export const sourceAliases = [
  ...Object.entries(SUBPATHS).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: `${packages}${path}` })),
  { find: /^@opencti\/([a-z0-9-]+)\/testing$/, replacement: `${packages}$1/src/testing/index.ts` },
  { find: /^@opencti\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` },
];

/** The same as exact names, for esbuild/tsup `alias` (which takes no patterns). */
export function esbuildSourceAliases(): Record<string, string> {
  const alias: Record<string, string> = {};
  for (const name of readdirSync(packages)) {
    if (existsSync(`${packages}${name}/src/index.ts`)) alias[`@opencti/${name}`] = `${packages}${name}/src/index.ts`;
    if (existsSync(`${packages}${name}/src/testing/index.ts`)) alias[`@opencti/${name}/testing`] = `${packages}${name}/src/testing/index.ts`;
  }
  for (const [name, path] of Object.entries(SUBPATHS)) alias[name] = `${packages}${path}`;
  return alias;
}
