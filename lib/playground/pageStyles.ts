// The playground page's styles (GET /playground/app.css): a file of its own, so the page's
// Content-Security-Policy needs no 'unsafe-inline' for styles either.
export const PLAYGROUND_STYLES = `  body { font: 14px/1.45 system-ui, -apple-system, "PingFang SC", sans-serif; margin: 0; color: #1d2129; background: #f5f6f7; }
  header { background: #07c160; color: #fff; padding: 10px 18px; display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
  header h1 { font-size: 17px; margin: 0; } header span { opacity: .9; font-size: 12px; overflow-wrap: anywhere; min-width: 0; }
  main { display: grid; grid-template-columns: 380px minmax(0, 1fr) minmax(0, 1fr); gap: 14px; padding: 14px; }
  /* A phone-wide window (375 px): one column, and nothing wider than the screen. */
  @media (max-width: 900px) { main { grid-template-columns: minmax(0, 1fr); padding: 8px; gap: 8px; } header { padding: 8px 10px; } }
  section { min-width: 0; background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  h2 { font-size: 13px; margin: 0 0 8px; color: #4e5969; text-transform: uppercase; letter-spacing: .04em; }
  label { display: block; font-size: 12px; color: #4e5969; margin: 8px 0 3px; }
  select, textarea, input { width: 100%; box-sizing: border-box; font: 13px ui-monospace, Menlo, monospace; padding: 6px; border: 1px solid #d0d3d6; border-radius: 6px; }
  textarea { height: 180px; }
  button { margin-top: 10px; background: #07c160; color: #fff; border: 0; border-radius: 6px; padding: 7px 14px; font-weight: 600; cursor: pointer; }
  button.secondary { background: #4e5969; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f8fa; border-radius: 6px; padding: 8px; min-height: 60px; margin: 0; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; margin-top: 8px; } td { border-top: 1px solid #eee; padding: 3px 4px; vertical-align: top; overflow-wrap: anywhere; } td:first-child { color: #86909c; width: 90px; }
  .status { font-size: 12px; color: #86909c; margin-top: 6px; } .error { color: #f53f3f; }
`;
