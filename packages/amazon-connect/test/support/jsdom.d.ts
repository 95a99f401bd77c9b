// Minimal typings for the part of jsdom the tests use (the package ships none).
declare module "jsdom" {
  import type { Context } from "node:vm";
  export class VirtualConsole {
    on(event: string, handler: (...args: unknown[]) => void): this;
  }
  export interface JSDOMOptions {
    url?: string;
    runScripts?: "dangerously" | "outside-only";
    pretendToBeVisual?: boolean;
    virtualConsole?: VirtualConsole;
  }
  export class JSDOM {
    constructor(html?: string, options?: JSDOMOptions);
    readonly window: Window & typeof globalThis;
    getInternalVMContext(): Context;
  }
}
