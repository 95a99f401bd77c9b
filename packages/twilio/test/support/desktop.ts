import { createDesktop, type Desktop, type DesktopEvent, type DesktopEventMap } from "@opencti/core";
import { vi } from "vitest";

export interface Recorded {
  desktop: Desktop;
  events: DesktopEvent[];
  next<T extends DesktopEvent["type"]>(type: T, pred?: (e: DesktopEventMap[T]) => boolean, timeout?: number): Promise<DesktopEventMap[T]>;
}

export function recordDesktop(desktop: Desktop): Recorded {
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  return {
    desktop,
    events,
    next: (type, pred = () => true, timeout = 10_000) =>
      vi.waitFor(
        () => {
          const found = events.find((e) => e.type === type && pred(e as never));
          if (!found) throw new Error(`no ${type} event yet`);
          return found as never;
        },
        { timeout, interval: 10 },
      ),
  };
}

export { createDesktop };
