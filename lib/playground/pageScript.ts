// The playground page's script, served as its own file (GET /playground/app.js) so the page's
// Content-Security-Policy can forbid inline script. Dev and staging only.
export const PLAYGROUND_SCRIPT = `const $ = (id) => document.getElementById(id);
let config;
let lastInput;

// Every value shown comes from outside (a provider's model name and answer, error messages,
// config): it becomes text nodes, never markup. The page's CSP forbids inline script as well.
function setOptions(select, values) {
  select.replaceChildren(...values.map((value) => new Option(value, value)));
}

function row(...cells) {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

function fillProfiles() {
  const intent = config.intents[$("intent").value];
  for (const select of [$("profile"), $("other")]) setOptions(select, intent.profiles);
  $("profile").value = intent.routed;
  $("other").value = intent.profiles.find((p) => p !== intent.routed) || intent.routed;
  $("input").value = JSON.stringify(intent.sample, null, 2);
}

function showTrace(table, done) {
  const d = done.debug || {};
  const rows = [
    ["traceId", done.traceId], ["profile", done.profile + (d.arm ? " (" + d.arm + ")" : "")], ["model", done.model],
    ["provider", d.provider], ["attempts", (d.attempts || []).map((a) => a.provider + "/" + a.model + ": " + a.outcome + " " + a.ms + " ms").join("; ")],
    ["cache", (done.cached ? "hit" : d.cache)], ["limits", d.limit + " " + Object.entries(d.rateLimit || {}).map(([k, v]) => k.replace("x-ratelimit-", "") + "=" + v).join(" ")],
    ["timings", Object.entries(d.timings || {}).map(([k, v]) => k + " " + v + " ms").join(", ")], ["tokens", done.usage ? done.usage.totalTokens : ""],
  ];
  table.replaceChildren(...rows.map(([k, v]) => row(k, v === undefined ? "" : String(v))));
}

async function send(profile, out, status, trace, bypass) {
  out.textContent = ""; status.textContent = "sending..."; status.className = "status"; trace.replaceChildren();
  let input;
  try { input = JSON.parse($("input").value); } catch { status.textContent = "input is not valid JSON"; status.className = "status error"; return; }
  lastInput = input;
  const started = performance.now();
  const res = await fetch("/v1/mini/ask", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: "Bearer " + $("token").value.trim(), "x-miniask-debug": "1", ...(bypass ? { "x-miniask-cache": "bypass" } : {}) },
    // The routed default goes without "profile", so the server chooses (and a rollout shows).
    body: JSON.stringify({ intent: $("intent").value, userId: config.userId || tokenSubject(), input, ...(profile === config.intents[$("intent").value].routed && !bypass ? {} : { profile }), stream: true }),
  });
  if (!res.headers.get("content-type").includes("text/event-stream")) {
    const body = await res.json();
    status.textContent = res.status + " " + body.error.code + ": " + body.error.message + " (trace " + body.traceId + ")"; status.className = "status error";
    return;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", first = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\\n\\n")) >= 0) {
      const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const event = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "null");
      if (event === "delta" || event === "draft" || event === "final") {
        if (!first) first = performance.now() - started;
        if (event === "final" && !out.dataset.final) { out.dataset.final = "1"; out.textContent += "\\n--- refined ---\\n"; }
        out.textContent += data.text;
      } else if (event === "done") {
        out.textContent = typeof data.answer === "string" ? data.answer : JSON.stringify(data.answer, null, 2);
        status.textContent = "done: first delta " + Math.round(first) + " ms, total " + Math.round(performance.now() - started) + " ms";
        showTrace(trace, data);
      } else if (event === "error") {
        status.textContent = data.error.code + ": " + data.error.message + " (trace " + data.traceId + ")"; status.className = "status error";
      }
    }
  }
  delete out.dataset.final;
}

function tokenSubject() {
  try { return JSON.parse(atob($("token").value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub; } catch { return "u_playground"; }
}

(async () => {
  config = await (await fetch("/playground/config")).json();
  $("env").textContent = config.env + " · config " + config.configHash + (config.devToken ? " · dev token filled in" : " · paste a token");
  if (config.devToken) $("token").value = config.devToken;
  setOptions($("intent"), Object.keys(config.intents));
  $("intent").onchange = fillProfiles;
  fillProfiles();
  $("send").onclick = () => { $("leftTitle").textContent = "Answer: " + $("profile").value; return send($("profile").value, $("answer"), $("status"), $("trace"), false); };
  $("replay").onclick = () => { $("rightTitle").textContent = "Replay: " + $("other").value; return send($("other").value, $("replayAnswer"), $("replayStatus"), $("replayTrace"), true); };
})();
`;
