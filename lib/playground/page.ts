// The playground: one page, no build step. Dev and staging only (createApp never serves it in
// prod). Pick an intent and a profile, edit the input, send it with a token, watch the SSE
// stream arrive, read the trace, and replay the same input with another profile side by side.
export const PLAYGROUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>miniask playground</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "PingFang SC", sans-serif; margin: 0; color: #1d2129; background: #f5f6f7; }
  header { background: #07c160; color: #fff; padding: 10px 18px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 17px; margin: 0; } header span { opacity: .9; font-size: 12px; }
  main { display: grid; grid-template-columns: 380px 1fr 1fr; gap: 14px; padding: 14px; }
  section { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  h2 { font-size: 13px; margin: 0 0 8px; color: #4e5969; text-transform: uppercase; letter-spacing: .04em; }
  label { display: block; font-size: 12px; color: #4e5969; margin: 8px 0 3px; }
  select, textarea, input { width: 100%; box-sizing: border-box; font: 13px ui-monospace, Menlo, monospace; padding: 6px; border: 1px solid #d0d3d6; border-radius: 6px; }
  textarea { height: 180px; }
  button { margin-top: 10px; background: #07c160; color: #fff; border: 0; border-radius: 6px; padding: 7px 14px; font-weight: 600; cursor: pointer; }
  button.secondary { background: #4e5969; }
  pre { white-space: pre-wrap; word-break: break-word; background: #f7f8fa; border-radius: 6px; padding: 8px; min-height: 60px; margin: 0; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; margin-top: 8px; } td { border-top: 1px solid #eee; padding: 3px 4px; vertical-align: top; } td:first-child { color: #86909c; width: 90px; }
  .status { font-size: 12px; color: #86909c; margin-top: 6px; } .error { color: #f53f3f; }
</style>
</head>
<body>
<header><h1>miniask playground</h1><span id="env"></span></header>
<main>
  <section>
    <h2>Request</h2>
    <label for="intent">intent</label><select id="intent"></select>
    <label for="profile">profile</label><select id="profile"></select>
    <label for="input">input (JSON)</label><textarea id="input"></textarea>
    <label for="token">app token</label><input id="token" placeholder="paste a token from POST /v1/mini/login">
    <button id="send">Send (stream)</button>
    <label for="other">replay with profile</label><select id="other"></select>
    <button id="replay" class="secondary">Replay side by side</button>
  </section>
  <section><h2 id="leftTitle">Answer</h2><pre id="answer"></pre><div class="status" id="status"></div><table id="trace"></table></section>
  <section><h2 id="rightTitle">Replay</h2><pre id="replayAnswer"></pre><div class="status" id="replayStatus"></div><table id="replayTrace"></table></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
let config;
let lastInput;

function fillProfiles() {
  const intent = config.intents[$("intent").value];
  for (const select of [$("profile"), $("other")]) {
    select.innerHTML = intent.profiles.map((p) => '<option>' + p + '</option>').join("");
  }
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
  table.innerHTML = rows.map(([k, v]) => "<tr><td>" + k + "</td><td>" + (v === undefined ? "" : String(v)) + "</td></tr>").join("");
}

async function send(profile, out, status, trace, bypass) {
  out.textContent = ""; status.textContent = "sending..."; status.className = "status"; trace.innerHTML = "";
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
  $("intent").innerHTML = Object.keys(config.intents).map((i) => "<option>" + i + "</option>").join("");
  $("intent").onchange = fillProfiles;
  fillProfiles();
  $("send").onclick = () => { $("leftTitle").textContent = "Answer: " + $("profile").value; return send($("profile").value, $("answer"), $("status"), $("trace"), false); };
  $("replay").onclick = () => { $("rightTitle").textContent = "Replay: " + $("other").value; return send($("other").value, $("replayAnswer"), $("replayStatus"), $("replayTrace"), true); };
})();
</script>
</body>
</html>
`;
