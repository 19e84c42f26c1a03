// The playground: one page, no build step. Dev and staging only (createApp never serves it in
// prod). Pick an intent and a profile, edit the input, send it with a token, watch the SSE
// stream arrive, read the trace, and replay the same input with another profile side by side.
export const PLAYGROUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>miniask playground</title>
<link rel="stylesheet" href="/playground/app.css">
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
<script src="/playground/app.js" defer></script>
</body>
</html>
`;
