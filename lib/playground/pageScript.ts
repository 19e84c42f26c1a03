// The playground page's script, served as its own file (GET /playground/app.js) so the page's
// Content-Security-Policy can forbid inline script. Dev and staging only.
export const PLAYGROUND_SCRIPT = `const $ = (id) => document.getElementById(id);
let config;

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

// Two panels; each run owns its panel until the next run there aborts it, so a slow old
// stream never writes into a new run's results.
const panels = {
  left: { title: "leftTitle", name: "Answer", out: "answer", status: "status", trace: "trace" },
  right: { title: "rightTitle", name: "Replay", out: "replayAnswer", status: "replayStatus", trace: "replayTrace" },
};

function claim(panel, title) {
  if (panel.controller) panel.controller.abort();
  const controller = new AbortController();
  panel.controller = controller;
  $(panel.title).textContent = title;
  $(panel.out).textContent = ""; delete $(panel.out).dataset.final;
  $(panel.status).textContent = ""; $(panel.status).className = "status";
  $(panel.trace).replaceChildren();
  return controller;
}

function fillProfiles() {
  const intent = config.intents[$("intent").value];
  setOptions($("profile"), intent.profiles);
  setOptions($("other"), intent.replayProfiles || intent.profiles);
  $("profile").value = intent.routed;
  $("other").value = (intent.replayProfiles || intent.profiles).find((p) => p !== intent.routed) || intent.routed;
  $("input").value = JSON.stringify(intent.sample, null, 2);
}

// The model row names the answering attempt exactly as the attempts row does; a provider that
// reports another name for it gets its own row. A refined stream's attempts are its draft's
// only (the server lists no refine attempt yet): the refinement's model is named apart.
function modelRows(reported, attempts, refined) {
  const answered = (attempts || []).filter((a) => a.outcome === "ok").at(-1);
  const rows = [["model", answered ? answered.provider + "/" + answered.model + (refined ? " (draft)" : "") : reported]];
  if (refined) rows.push(["refined by", reported]);
  else if (answered && reported && reported !== answered.model) rows.push(["reported as", reported]);
  rows.push(["attempts", (attempts || []).map((a) => a.provider + "/" + a.model + ": " + a.outcome + " " + a.ms + " ms").join("; ")]);
  return rows;
}

function showRows(table, rows) {
  table.replaceChildren(...rows.map(([k, v]) => row(k, v === undefined ? "" : String(v))));
}

function showTrace(table, done) {
  const d = done.debug || {};
  showRows(table, [
    ["traceId", done.traceId], ["profile", done.profile + (d.arm ? " (" + d.arm + ")" : "")], ...modelRows(done.model, d.attempts, done.refined === true),
    ["provider", d.provider],
    ["cache", (done.cached ? "hit" : d.cache)], ["limits", d.limit + " " + Object.entries(d.rateLimit || {}).map(([k, v]) => k.replace("x-ratelimit-", "") + "=" + v).join(" ")],
    ["timings", Object.entries(d.timings || {}).map(([k, v]) => k + " " + v + " ms").join(", ")], ["tokens", done.usage ? done.usage.totalTokens : ""],
  ]);
}

function fail(panel, text) {
  $(panel.status).textContent = text; $(panel.status).className = "status error";
}

function readInput(panel) {
  try { return JSON.parse($("input").value); } catch { fail(panel, "input is not valid JSON"); return undefined; }
}

async function stream(panel, profile, bypass) {
  const controller = claim(panel, panel.name + ": " + profile);
  const out = $(panel.out), status = $(panel.status);
  const input = readInput(panel);
  if (input === undefined) return;
  status.textContent = "sending...";
  const started = performance.now();
  const res = await fetch("/v1/mini/ask", {
    method: "POST", signal: controller.signal,
    headers: { "content-type": "application/json", accept: "text/event-stream", authorization: "Bearer " + $("token").value.trim(), "x-miniask-debug": "1", ...(bypass ? { "x-miniask-cache": "bypass" } : {}) },
    // The routed default goes without "profile", so the server chooses (and a rollout shows).
    body: JSON.stringify({ intent: $("intent").value, userId: config.userId || tokenSubject(), input, ...(profile === config.intents[$("intent").value].routed && !bypass ? {} : { profile }), stream: true }),
  });
  if (!res.headers.get("content-type").includes("text/event-stream")) {
    const body = await res.json();
    if (panel.controller !== controller) return;
    return fail(panel, res.status + " " + body.error.code + ": " + body.error.message + " (trace " + body.traceId + ")");
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", first = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done || panel.controller !== controller) break;
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
        showTrace($(panel.trace), data);
      } else if (event === "error") {
        fail(panel, data.error.code + ": " + data.error.message + " (trace " + data.traceId + ")");
      }
    }
  }
}

// The server's replay: the same input run against the profile once, whole, outside the request path.
async function replay(panel, profile) {
  const controller = claim(panel, panel.name + ": " + profile);
  const input = readInput(panel);
  if (input === undefined) return;
  $(panel.status).textContent = "running...";
  const res = await fetch("/playground/replay", {
    method: "POST", signal: controller.signal,
    headers: { "content-type": "application/json", authorization: "Bearer " + $("token").value.trim() },
    body: JSON.stringify({ intent: $("intent").value, profile, input }),
  });
  const body = await res.json();
  if (panel.controller !== controller) return;
  if (res.status !== 200) return fail(panel, res.status + " " + body.error.code + ": " + body.error.message + " (trace " + body.traceId + ")");
  if (!body.ok) return fail(panel, body.code + (body.message ? ": " + body.message : ""));
  $(panel.out).textContent = typeof body.answer === "string" ? body.answer : JSON.stringify(body.answer, null, 2);
  $(panel.status).textContent = "done: total " + body.ms + " ms (replayed whole: no cache, no limits)";
  showRows($(panel.trace), [
    ["traceId", res.headers.get("x-trace-id")], ["profile", body.profile + " (replay)"], ...modelRows(body.model, body.attempts),
    ["tools", (body.toolCalls || []).map((c) => c.name + (c.ok ? "" : " (failed)")).join(", ")], ["tokens", body.usage ? body.usage.totalTokens : ""],
  ]);
}

function tokenSubject() {
  try { return JSON.parse(atob($("token").value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub; } catch { return "u_playground"; }
}

// An aborted run is a replaced one: nothing to show.
function quietly(run) {
  return run.catch((err) => { if (err.name !== "AbortError") throw err; });
}

(async () => {
  config = await (await fetch("/playground/config")).json();
  $("env").textContent = config.env + " · config " + config.configHash + (config.devToken ? " · dev token filled in" : " · paste a token");
  if (config.devToken) $("token").value = config.devToken;
  setOptions($("intent"), Object.keys(config.intents));
  $("intent").onchange = fillProfiles;
  fillProfiles();
  // A new request makes the old replay a comparison with something else: both panels start over.
  $("send").onclick = () => { claim(panels.right, panels.right.name); return quietly(stream(panels.left, $("profile").value, false)); };
  $("replay").onclick = () => quietly(config.replay === "run" ? replay(panels.right, $("other").value) : stream(panels.right, $("other").value, true));
})();
`;
