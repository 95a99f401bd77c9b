/**
 * What every demo drawer (simulator, fake CCP) shares: read a form field, run
 * a far-end action and show its outcome, or the error it threw, as status text.
 */
export interface DrawerKit {
  field(name: string): string;
  /** A click handler: runs `fn`, records `what` (or the error), redraws. */
  act(what: string, fn: () => void): () => void;
  status(): string;
}

export function drawerKit(host: HTMLElement, redraw: () => void): DrawerKit {
  let status = "";
  return {
    field: (name) => (host.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)?.value ?? "").trim(),
    act: (what, fn) => () => {
      try {
        fn();
        status = what;
      } catch (err) {
        status = err instanceof Error ? err.message : String(err);
      }
      redraw();
    },
    status: () => status,
  };
}
