// Headers on every playground response. The page holds a dev or staging token and shows what
// providers send (model names, answers, error text), so nothing it shows may run as script:
// scripts and styles come only from this origin's own files (no inline script, no eval),
// requests go only back to this origin, nothing is framed or embedded, and no response is
// sniffed into another type.
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const PLAYGROUND_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": PLAYGROUND_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
