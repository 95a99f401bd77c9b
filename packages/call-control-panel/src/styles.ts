import { css } from "lit";

/**
 * The dark palette's defaults (each still overridable by its --opencti-*
 * property). Every text/background pair meets WCAG AA 4.5:1 (checked by the
 * axe-core test in both themes).
 */
const dark = css`
  --_accent: var(--opencti-accent, #1f6feb);
  --_danger: var(--opencti-danger, #da3633);
  --_danger-fg: var(--opencti-danger-text, #ff7b72);
  --_ok: var(--opencti-success, #238636);
  --_warn: var(--opencti-warning, #d29922);
  --_warn-fg: var(--opencti-warning-text, #d29922);
  --_on-warn: #0d1117;
  --_bg: var(--opencti-background, #0d1117);
  --_fg: var(--opencti-foreground, #e6edf3);
  --_muted: var(--opencti-muted, #9da7b3);
  --_border: var(--opencti-border, #3d444d);
  color-scheme: dark;
`;

/**
 * Themeable through CSS custom properties on the host (--opencti-*) and
 * ::part() names on the main regions and buttons. `theme="dark"` or
 * `theme="light"` picks a palette; without it the panel follows the
 * system's `prefers-color-scheme`.
 */
export const panelStyles = css`
  :host {
    --_accent: var(--opencti-accent, #1f6feb);
    --_danger: var(--opencti-danger, #c62828);
    --_danger-fg: var(--opencti-danger-text, var(--_danger));
    --_ok: var(--opencti-success, #2e7d32);
    --_warn: var(--opencti-warning, #9a5b00);
    --_warn-fg: var(--opencti-warning-text, var(--_warn));
    --_on-warn: #fff;
    --_bg: var(--opencti-background, #ffffff);
    --_fg: var(--opencti-foreground, #1b1f24);
    --_muted: var(--opencti-muted, #5b6572);
    --_border: var(--opencti-border, #d0d7de);
    --_radius: var(--opencti-radius, 6px);
    color-scheme: light;
    display: block;
    box-sizing: border-box;
    min-width: 280px;
    max-width: var(--opencti-max-width, 420px);
    font: var(--opencti-font, 14px/1.4 system-ui, sans-serif);
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 12px;
  }
  :host([theme="dark"]) { ${dark} }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme="light"])) { ${dark} }
  }
  *, *::before, *::after { box-sizing: inherit; }
  section { margin: 0 0 12px; }
  h2, h3 { margin: 0 0 6px; font-size: 1em; }
  header h2 { margin: 0; }
  .row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
  .spread { justify-content: space-between; }
  .muted { color: var(--_muted); font-size: 0.9em; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  button, select, input { font: inherit; }
  button {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_fg);
    padding: 4px 10px;
    cursor: pointer;
  }
  button:hover:not(:disabled) { border-color: var(--_accent); }
  button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--_accent); outline-offset: 1px; }
  button:disabled { opacity: 0.55; cursor: default; }
  button.primary { background: var(--_accent); border-color: var(--_accent); color: #fff; }
  button.good { background: var(--_ok); border-color: var(--_ok); color: #fff; }
  button.danger { background: var(--_danger); border-color: var(--_danger); color: #fff; }
  input, select { border: 1px solid var(--_border); border-radius: var(--_radius); padding: 4px 6px; background: var(--_bg); color: var(--_fg); min-width: 0; }
  .link { display: inline-flex; align-items: center; gap: 6px; font-size: 0.9em; }
  .dot { width: 10px; height: 10px; border-radius: 50%; background: var(--_muted); }
  .link[data-link="connected"] .dot { background: var(--_ok); }
  .link[data-link="reconnecting"] .dot, .link[data-link="connecting"] .dot { background: var(--_warn); }
  .link[data-link="disconnected"] .dot { background: var(--_danger); }
  .error { border: 1px solid var(--_danger); color: var(--_danger-fg); border-radius: var(--_radius); padding: 6px 8px; margin: 0 0 12px; }
  .field-error { color: var(--_danger-fg); font-size: 0.9em; margin: 4px 0 0; }
  .call { border: 1px solid var(--_border); border-radius: var(--_radius); padding: 8px; margin: 0 0 8px; }
  .call[data-state="held"] { border-style: dashed; }
  .call.alert { border: 2px solid var(--_accent); background: color-mix(in srgb, var(--_accent) 6%, var(--_bg)); }
  .notice { color: var(--_warn-fg); font-size: 0.9em; margin: 0 0 8px; }
  .call-title { font-weight: 600; word-break: break-word; }
  .timer { font-variant-numeric: tabular-nums; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 6px 0; font-size: 0.9em; }
  dt { color: var(--_muted); }
  dd { margin: 0; word-break: break-word; }
  ul { list-style: none; margin: 4px 0; padding: 0; }
  .keypad { display: grid; grid-template-columns: repeat(3, 3em); gap: 4px; margin: 6px 0; }
  .keypad button { padding: 6px 0; }
  .grow { flex: 1 1 8em; }
  form { margin: 6px 0 0; }
  .badge { display: inline-block; border-radius: var(--_radius); padding: 1px 8px; font-size: 0.9em; font-weight: 600; color: #fff; }
  .badge.danger { background: var(--_danger); }
  .badge.warn { background: var(--_warn); color: var(--_on-warn); }
  .badge.info { background: var(--_accent); }
  .rec { display: inline-flex; align-items: center; gap: 6px; border: 1px solid var(--_danger); border-radius: var(--_radius); padding: 0 8px; font-size: 0.9em; font-weight: 600; color: var(--_danger-fg); }
  .rec .dot { background: var(--_danger); }
  .rec[data-recording="paused"] { border-color: var(--_warn); color: var(--_warn-fg); }
  .rec[data-recording="paused"] .dot { background: transparent; border: 2px solid var(--_warn); }
  .modes button[aria-pressed="true"] { background: var(--_accent); border-color: var(--_accent); color: #fff; }
  .missed { border: 1px solid var(--_danger); border-left-width: 4px; border-radius: var(--_radius); padding: 6px 8px; margin: 0 0 8px; }
  .missed .reason { margin: 2px 0 6px; }
  .directory { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
  .directory button[aria-pressed="true"] { border-color: var(--_accent); outline: 1px solid var(--_accent); }
  button.icon { display: inline-flex; align-items: center; padding: 3px 6px; }
  #audio-devices { border: 1px solid var(--_border); border-radius: var(--_radius); padding: 8px; }
  .settings { display: grid; grid-template-columns: max-content minmax(0, 1fr); align-items: center; gap: 6px 8px; }
  textarea { font: inherit; width: 100%; border: 1px solid var(--_border); border-radius: var(--_radius); }
  .ai { margin: 8px 0 0; border-top: 1px solid var(--_border); padding-top: 6px; }
  .ai ol { list-style: none; margin: 6px 0 0; padding: 0 4px 0 0; max-height: 14em; overflow-y: auto; }
  .ai ol li { margin: 0 0 4px; }
  .ai li { word-break: break-word; }
  .ai .partial { color: var(--_muted); font-style: italic; }
  .chip { border: 1px solid var(--_border); border-left-width: 4px; border-radius: var(--_radius); padding: 0 6px; font-size: 0.9em; }
  .chip[data-tone="positive"] { border-color: var(--_ok); }
  .chip[data-tone="negative"], .chip[data-kind="issue"] { border-color: var(--_danger); }
  .chip[data-kind="suggestion"] { border-color: var(--_accent); }
`;
