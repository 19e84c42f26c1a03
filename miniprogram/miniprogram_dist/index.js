// Built by `npm run build:miniprogram` from miniprogram/src: edit those, not this file.
"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);
var __async = (__this, __arguments, generator) => {
  return new Promise((resolve, reject) => {
    var fulfilled = (value) => {
      try {
        step(generator.next(value));
      } catch (e) {
        reject(e);
      }
    };
    var rejected = (value) => {
      try {
        step(generator.throw(value));
      } catch (e) {
        reject(e);
      }
    };
    var step = (x) => x.done ? resolve(x.value) : Promise.resolve(x.value).then(fulfilled, rejected);
    step((generator = generator.apply(__this, __arguments)).next());
  });
};

// miniprogram/src/index.ts
var index_exports = {};
__export(index_exports, {
  MiniaskError: () => MiniaskError,
  SUPPORT_LIMITS: () => SUPPORT_LIMITS,
  conversation: () => conversation,
  createMiniaskClient: () => createMiniaskClient,
  fitHistory: () => fitHistory,
  newTraceId: () => newTraceId,
  textOf: () => textOf
});
module.exports = __toCommonJS(index_exports);

// miniprogram/src/errors.ts
var MiniaskError = class extends Error {
  constructor(code, detail, traceId, status, extra = {}) {
    super(`${detail} (trace ${traceId})`);
    this.code = code;
    this.detail = detail;
    this.traceId = traceId;
    this.status = status;
    this.name = "MiniaskError";
    if (extra.retryAfter !== void 0) this.retryAfter = extra.retryAfter;
    if (extra.details !== void 0) this.details = extra.details;
    if (extra.category !== void 0) this.category = extra.category;
    if (extra.categoryTitle !== void 0) this.categoryTitle = extra.categoryTitle;
    if (extra.cause !== void 0) this.cause = extra.cause;
  }
};
function headerValue(header, name) {
  if (!header) return void 0;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(header)) if (key.toLowerCase() === wanted) return String(header[key]);
  return void 0;
}
function detailsOf(value) {
  if (!Array.isArray(value)) return void 0;
  const details = [];
  for (const item of value) {
    const entry = item;
    if (entry && typeof entry.message === "string") details.push({ path: typeof entry.path === "string" ? entry.path : "", message: entry.message });
  }
  return details;
}
function errorFromBody(body, status, traceId, header) {
  var _a;
  const parsed = body;
  const error = parsed && typeof parsed === "object" && parsed.error && typeof parsed.error === "object" ? parsed.error : void 0;
  const code = typeof (error == null ? void 0 : error.code) === "string" ? error.code : "http_error";
  const message = typeof (error == null ? void 0 : error.message) === "string" ? error.message : `HTTP ${status}`;
  const trace = parsed && typeof parsed.traceId === "string" && parsed.traceId !== "" ? parsed.traceId : traceId;
  const retryAfter = Number((_a = headerValue(header, "retry-after")) != null ? _a : NaN);
  const details = detailsOf(error == null ? void 0 : error.details);
  const extra = {};
  if (retryAfter >= 0) extra.retryAfter = retryAfter;
  if (details) extra.details = details;
  if (typeof (error == null ? void 0 : error.category) === "string") extra.category = error.category;
  if (typeof (error == null ? void 0 : error.categoryTitle) === "string") extra.categoryTitle = error.categoryTitle;
  return new MiniaskError(code, message, trace, status, extra);
}

// miniprogram/src/answerEvents.ts
var PHASE_OF = { delta: "answer", draft: "draft", final: "final" };
function textOf(answer) {
  return typeof answer === "string" ? answer : JSON.stringify(answer);
}
function callPage(traceId, call) {
  try {
    call();
  } catch (err) {
    throw new MiniaskError("callback_error", `a page callback threw: ${err instanceof Error ? err.message : String(err)}`, traceId, 0, { cause: err });
  }
}
function isAnswerReply(value) {
  const v = value;
  return !!v && typeof v === "object" && "answer" in v && typeof v.traceId === "string";
}
function createAnswerEvents(callbacks, traceId) {
  let phase;
  let text = "";
  let outcome;
  const dataOf = (event) => {
    try {
      const parsed = JSON.parse(event.data);
      if (parsed && typeof parsed === "object") return parsed;
    } catch (e) {
    }
    throw new MiniaskError("bad_reply", `the ${event.event} event is not a JSON object`, traceId, 200);
  };
  return {
    accept(event) {
      if (outcome) return;
      const piecePhase = PHASE_OF[event.event];
      if (piecePhase) {
        const piece = dataOf(event).text;
        if (typeof piece !== "string") throw new MiniaskError("bad_reply", `the ${event.event} event has no text`, traceId, 200);
        if (phase !== piecePhase) text = "";
        phase = piecePhase;
        text += piece;
        const soFar = text;
        callPage(traceId, () => {
          var _a;
          return (_a = callbacks.onDelta) == null ? void 0 : _a.call(callbacks, piece, piecePhase);
        });
        callPage(traceId, () => {
          var _a;
          return (_a = callbacks.onText) == null ? void 0 : _a.call(callbacks, soFar, piecePhase);
        });
      } else if (event.event === "done") {
        const data = dataOf(event);
        if (!isAnswerReply(data)) throw new MiniaskError("bad_reply", "the done event has no answer", traceId, 200);
        outcome = { result: data };
      } else if (event.event === "error") {
        outcome = { error: errorFromBody(dataOf(event), 200, traceId) };
      }
    },
    /** The `done` result or the `error`, once one of them came. */
    outcome: () => outcome
  };
}

// miniprogram/src/sseParser.ts
function createUtf8Decoder() {
  let pending = [];
  const lengthOf = (lead) => lead < 128 ? 1 : lead >= 194 && lead < 224 ? 2 : lead >= 224 && lead < 240 ? 3 : lead >= 240 && lead < 245 ? 4 : 0;
  const secondByteRange = (lead) => lead === 224 ? [160, 191] : lead === 237 ? [128, 159] : lead === 240 ? [144, 191] : lead === 244 ? [128, 143] : [128, 191];
  const fromCodePoint = (cp) => cp < 65536 ? String.fromCharCode(cp) : String.fromCharCode(55296 + (cp - 65536 >> 10), 56320 + (cp - 65536 & 1023));
  return {
    decode(chunk, final = false) {
      const bytes = pending.length > 0 ? [...pending, ...chunk] : Array.from(chunk);
      pending = [];
      let out = "";
      let i = 0;
      while (i < bytes.length) {
        const lead = bytes[i];
        const length = lengthOf(lead);
        if (length === 0) {
          out += "\uFFFD";
          i++;
          continue;
        }
        if (length === 1) {
          out += String.fromCharCode(lead);
          i++;
          continue;
        }
        let cp = lead & 255 >> length + 1;
        let k = 1;
        for (; k < length && i + k < bytes.length; k++) {
          const next = bytes[i + k];
          const [lo, hi] = k === 1 ? secondByteRange(lead) : [128, 191];
          if (next < lo || next > hi) break;
          cp = cp << 6 | next & 63;
        }
        if (k === length) {
          out += fromCodePoint(cp);
          i += length;
        } else if (i + k >= bytes.length && !final) {
          pending = bytes.slice(i);
          break;
        } else {
          out += "\uFFFD";
          i += k;
        }
      }
      return out;
    }
  };
}
function createSseParser(onEvent) {
  const decoder = createUtf8Decoder();
  let buffer = "";
  let eventName = "";
  let data = [];
  const line = (raw) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text === "") {
      if (data.length > 0) onEvent({ event: eventName || "message", data: data.join("\n") });
      eventName = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? "" : text.slice(colon + 1).replace(/^ /, "");
    if (field === "event") eventName = value;
    else if (field === "data") data.push(value);
  };
  return {
    push(chunk) {
      buffer += decoder.decode(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        line(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
      }
    },
    /** The response ended: a last unterminated line still counts. */
    end() {
      buffer += decoder.decode(new Uint8Array(0), true);
      if (buffer !== "") line(buffer);
      buffer = "";
      line("");
    }
  };
}

// miniprogram/src/transport.ts
function missingApi(name, traceId) {
  return new MiniaskError("wx_unavailable", `${name} is not available in this base library`, traceId, 0);
}
function sendRequest(wxApi, options, traceId, scope) {
  let task;
  const reply = new Promise((resolve, reject) => {
    if (scope == null ? void 0 : scope.aborted) return reject(scope.aborted);
    if (typeof wxApi.request !== "function") return reject(missingApi("wx.request", traceId));
    const request = wxApi.request;
    try {
      task = request.call(
        wxApi,
        Object.assign({}, options, {
          success: resolve,
          fail: (err) => reject(new MiniaskError("network_error", err && err.errMsg || "request:fail", traceId, 0))
        })
      ) || void 0;
    } catch (err) {
      return reject(new MiniaskError("network_error", `wx.request threw: ${err instanceof Error ? err.message : String(err)}`, traceId, 0, { cause: err }));
    }
    if (scope) {
      scope.onAbort = () => {
        if (task && typeof task.abort === "function") task.abort();
        if (scope.aborted) reject(scope.aborted);
      };
    }
  });
  return { reply, task };
}
function canStreamChunks(wxApi) {
  if (typeof wxApi.canIUse !== "function") return false;
  try {
    return wxApi.canIUse("request.object.enableChunked") === true && wxApi.canIUse("RequestTask.onChunkReceived") === true;
  } catch (e) {
    return false;
  }
}
function isArrayBuffer(value) {
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}
function bytesOf(data) {
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  const text = typeof data === "string" ? data : data === void 0 || data === null ? "" : JSON.stringify(data);
  const bytes = [];
  const encoded = unescape(encodeURIComponent(text));
  for (let i = 0; i < encoded.length; i++) bytes.push(encoded.charCodeAt(i));
  return new Uint8Array(bytes);
}
function bodyOf(data) {
  if (data !== null && typeof data === "object" && !isArrayBuffer(data) && !(data instanceof Uint8Array)) return data;
  const text = typeof data === "string" ? data : createUtf8Decoder().decode(bytesOf(data), true);
  try {
    return JSON.parse(text);
  } catch (e) {
    return text;
  }
}
function joinBytes(chunks) {
  let length = 0;
  for (const c of chunks) length += c.length;
  const all = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

// miniprogram/src/session.ts
function isSession(value) {
  const v = value;
  return !!v && typeof v === "object" && typeof v.token === "string" && v.token !== "" && typeof v.userId === "string" && typeof v.expiresAt === "number";
}
function createSessionKeeper(deps) {
  var _a;
  const { wxApi, storageKey } = deps;
  const storage = {
    read() {
      try {
        return typeof wxApi.getStorageSync === "function" ? wxApi.getStorageSync(storageKey) : void 0;
      } catch (e) {
        return void 0;
      }
    },
    write(value) {
      try {
        if (typeof wxApi.setStorageSync === "function") wxApi.setStorageSync(storageKey, value);
      } catch (e) {
      }
    },
    remove() {
      try {
        if (typeof wxApi.removeStorageSync === "function") wxApi.removeStorageSync(storageKey);
        else if (typeof wxApi.setStorageSync === "function") wxApi.setStorageSync(storageKey, "");
      } catch (e) {
      }
    }
  };
  const stored = storage.read();
  let session = (_a = deps.initial) != null ? _a : isSession(stored) ? stored : void 0;
  let loggingIn;
  let generation = 0;
  const wxCode = (traceId) => new Promise((resolve, reject) => {
    if (typeof wxApi.login !== "function") return reject(missingApi("wx.login", traceId));
    try {
      wxApi.login({
        timeout: deps.timeoutMs,
        success: (res) => res && typeof res.code === "string" && res.code !== "" ? resolve(res.code) : reject(new MiniaskError("wx_login_failed", "wx.login gave no code", traceId, 0)),
        fail: (err) => reject(new MiniaskError("wx_login_failed", err && err.errMsg || "login:fail", traceId, 0))
      });
    } catch (err) {
      reject(new MiniaskError("wx_login_failed", `wx.login threw: ${err instanceof Error ? err.message : String(err)}`, traceId, 0, { cause: err }));
    }
  });
  function loginOnce(traceId) {
    return __async(this, null, function* () {
      const startedIn = generation;
      const code = yield wxCode(traceId);
      const res = yield sendRequest(
        wxApi,
        { url: deps.loginUrl, method: "POST", header: { "content-type": "application/json", "x-trace-id": traceId }, data: JSON.stringify({ code }), dataType: "json", timeout: deps.timeoutMs },
        traceId
      ).reply;
      const body = bodyOf(res.data);
      if (res.statusCode !== 200 || !isSession(body)) throw errorFromBody(body, res.statusCode, traceId, res.header);
      const fresh = { token: body.token, userId: body.userId, expiresAt: body.expiresAt };
      if (startedIn !== generation) throw new MiniaskError("logged_out", "logout() was called while logging in", traceId, 0);
      session = fresh;
      storage.write(fresh);
      return fresh;
    });
  }
  function login(traceId = deps.newTraceId()) {
    if (loggingIn) return loggingIn;
    const pending = loginOnce(traceId);
    loggingIn = pending;
    const clear = () => {
      if (loggingIn === pending) loggingIn = void 0;
    };
    pending.then(clear, clear);
    return pending;
  }
  return {
    login,
    current(traceId) {
      return __async(this, null, function* () {
        if (session && (session.expiresAt === 0 || session.expiresAt - deps.refreshMarginSeconds > deps.now() / 1e3)) return session;
        return login(traceId);
      });
    },
    /** The server refused the token: the next call logs in again. */
    drop() {
      session = void 0;
    },
    logout() {
      generation++;
      session = void 0;
      loggingIn = void 0;
      storage.remove();
    },
    userId: () => session == null ? void 0 : session.userId
  };
}

// miniprogram/src/streamAnswer.ts
function asMiniaskError(err, traceId) {
  return err instanceof MiniaskError ? err : new MiniaskError("bad_reply", err instanceof Error ? err.message : String(err), traceId, 0, { cause: err });
}
function streamOnce(wxApi, request, callbacks, traceId, scope) {
  return new Promise((resolve) => {
    const events = createAnswerEvents(callbacks, traceId);
    const parser = createSseParser((event) => events.accept(event));
    const chunks = [];
    let settled = false;
    const settle = (attempt) => {
      if (settled) return;
      settled = true;
      resolve(attempt);
    };
    const settleOnOutcome = () => {
      const outcome = events.outcome();
      if (outcome) settle({ statusCode: 200, result: outcome.result, error: outcome.error });
    };
    const sent = sendRequest(wxApi, Object.assign({}, request, { enableChunked: true, responseType: "arraybuffer" }), traceId, scope);
    const task = sent.task;
    const stop = (err) => {
      if (task && typeof task.abort === "function") task.abort();
      settle({ statusCode: 0, error: asMiniaskError(err, traceId) });
    };
    if (task && typeof task.onChunkReceived === "function") {
      task.onChunkReceived((res) => {
        if (settled) return;
        const bytes = bytesOf(res && res.data);
        chunks.push(bytes);
        try {
          parser.push(bytes);
        } catch (err) {
          return stop(err);
        }
        settleOnOutcome();
      });
    }
    sent.reply.then(
      (res) => {
        if (settled) return;
        const whole = chunks.length === 0;
        if (whole) chunks.push(bytesOf(res.data));
        const body = () => bodyOf(joinBytes(chunks));
        if (res.statusCode !== 200) return settle({ statusCode: res.statusCode, error: errorFromBody(body(), res.statusCode, traceId, res.header) });
        try {
          if (whole) parser.push(chunks[0]);
          parser.end();
        } catch (err) {
          return stop(err);
        }
        settleOnOutcome();
        const json = body();
        if (isAnswerReply(json)) return settle({ statusCode: 200, whole: json });
        settle({ statusCode: 200, error: new MiniaskError("stream_incomplete", "the stream ended without an answer", traceId, 200) });
      },
      (err) => settle({ statusCode: 0, error: asMiniaskError(err, traceId) })
    );
  });
}

// miniprogram/src/functionTimeouts.ts
var FUNCTION_TIMEOUT_MS = {
  summarize: 6e4,
  support: 6e4,
  recommend: 6e4,
  extract: 6e4,
  auth: 1e4
};

// miniprogram/src/timeouts.ts
var CLIENT_MARGIN_MS = 5e3;
var WX_REQUEST_CEILING_MS = 6e4;
function createTimeouts(override) {
  let longest = 0;
  for (const name in FUNCTION_TIMEOUT_MS) if (name !== "auth") longest = Math.max(longest, FUNCTION_TIMEOUT_MS[name] || 0);
  return (fn) => {
    if (override !== void 0) return override;
    const own = fn === void 0 ? void 0 : FUNCTION_TIMEOUT_MS[fn];
    return Math.min((own === void 0 ? longest : own) + CLIENT_MARGIN_MS, WX_REQUEST_CEILING_MS);
  };
}

// miniprogram/src/miniask.ts
function newTraceId(now = Date.now) {
  return `${now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
function sumUsage(a, b) {
  return { promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens, totalTokens: a.totalTokens + b.totalTokens };
}
function createMiniaskClient(options) {
  var _a, _b, _c, _d, _e, _f, _g, _h, _i, _j, _k, _l;
  const wxApi = options && options.wx && typeof options.wx === "object" ? options.wx : {};
  const now = (_a = options.now) != null ? _a : Date.now;
  const timeoutFor = createTimeouts(options.timeoutMs);
  const base = ((_b = options.baseUrl) != null ? _b : "").replace(/\/+$/, "");
  const domain = ((_c = options.domain) != null ? _c : "").replace(/\/+$/, "");
  const under = (fn) => domain ? `${domain}/${fn}` : base;
  const loginUrl = (_e = (_d = options.urls) == null ? void 0 : _d.login) != null ? _e : `${under("auth")}/v1/mini/login`;
  const askUrl = (intent) => {
    var _a2, _b2, _c2;
    return (_c2 = (_b2 = (_a2 = options.urls) == null ? void 0 : _a2.ask) == null ? void 0 : _b2[intent]) != null ? _c2 : `${under(intent)}/v1/mini/ask`;
  };
  const refineUrl = (intent) => {
    var _a2, _b2, _c2, _d2, _e2;
    return intent && ((_b2 = (_a2 = options.urls) == null ? void 0 : _a2.refine) == null ? void 0 : _b2[intent]) || intent && ((_e2 = (_d2 = (_c2 = options.urls) == null ? void 0 : _c2.ask) == null ? void 0 : _d2[intent]) == null ? void 0 : _e2.replace(/\/v1\/mini\/ask$/, "/v1/mini/refine")) || (domain && intent ? `${under(intent)}/v1/mini/refine` : `${base}/v1/mini/refine`);
  };
  const flagsUrl = (_i = (_f = options.urls) == null ? void 0 : _f.flags) != null ? _i : domain ? `${under("auth")}/v1/mini/flags` : `${base || ((_h = (_g = options.urls) == null ? void 0 : _g.login) != null ? _h : "").replace(/\/v1\/mini\/login$/, "")}/v1/mini/flags`;
  const given = options.session;
  const sessions = createSessionKeeper({
    wxApi,
    storageKey: (_j = options.storageKey) != null ? _j : "miniask.session",
    loginUrl,
    now,
    refreshMarginSeconds: (_k = options.refreshMarginSeconds) != null ? _k : 60,
    timeoutMs: timeoutFor("auth"),
    newTraceId: () => newTraceId(now),
    initial: given ? { token: given.token, userId: given.userId, expiresAt: (_l = given.expiresAt) != null ? _l : 0 } : void 0
  });
  const headers = (s, traceId) => ({ "content-type": "application/json", authorization: `Bearer ${s.token}`, "x-trace-id": traceId });
  function withSession(traceId, send) {
    return __async(this, null, function* () {
      const res = yield send(yield sessions.current(traceId));
      if (res.statusCode !== 401) return res;
      sessions.drop();
      return send(yield sessions.login(traceId));
    });
  }
  function askBody(intent, userId, traceId, input, askOptions, stream) {
    const body = { intent, userId, traceId, input };
    if (askOptions.context) body.context = askOptions.context;
    if (askOptions.profile) body.profile = askOptions.profile;
    if (stream) body.stream = true;
    return JSON.stringify(body);
  }
  function postJson(url, timeout, traceId, data, scope) {
    return __async(this, null, function* () {
      return withSession(traceId, (s) => sendRequest(wxApi, { url, method: "POST", header: headers(s, traceId), data: data(s), dataType: "json", timeout }, traceId, scope).reply);
    });
  }
  function askWith(intent, input, askOptions, traceId, scope) {
    return __async(this, null, function* () {
      const res = yield postJson(askUrl(intent), timeoutFor(intent), traceId, (s) => askBody(intent, s.userId, traceId, input, askOptions, false), scope);
      const body = bodyOf(res.data);
      if (res.statusCode !== 200 || !isAnswerReply(body)) throw errorFromBody(body, res.statusCode, traceId, res.header);
      return body;
    });
  }
  function ask(intent, input, askOptions = {}) {
    var _a2;
    return askWith(intent, input, askOptions, (_a2 = askOptions.traceId) != null ? _a2 : newTraceId(now));
  }
  function refineWith(id, intent, scope) {
    return __async(this, null, function* () {
      var _a2;
      if (domain && !intent && !((_a2 = options.urls) == null ? void 0 : _a2.refine)) throw new MiniaskError("intent_required", "refine on a custom domain needs the reply's intent: refine(id, { intent })", id, 0);
      const res = yield postJson(refineUrl(intent), timeoutFor(intent), id, () => JSON.stringify({ traceId: id }), scope);
      const body = bodyOf(res.data);
      if (res.statusCode !== 200 || !isAnswerReply(body)) throw errorFromBody(body, res.statusCode, id, res.header);
      return body;
    });
  }
  function refine(id, refineOptions = {}) {
    return refineWith(id, refineOptions.intent);
  }
  function wholeAnswer(reply, streamOptions, scope) {
    return __async(this, null, function* () {
      const show = (answer2, phase) => {
        const text = textOf(answer2);
        callPage(reply.traceId, () => {
          var _a2;
          return (_a2 = streamOptions.onDelta) == null ? void 0 : _a2.call(streamOptions, text, phase);
        });
        callPage(reply.traceId, () => {
          var _a2;
          return (_a2 = streamOptions.onText) == null ? void 0 : _a2.call(streamOptions, text, phase);
        });
      };
      if (!reply.refine || streamOptions.followRefine === false) {
        show(reply.answer, "answer");
        return reply;
      }
      show(reply.answer, "draft");
      const fast = Object.assign({}, reply, { draft: reply.answer });
      delete fast.refine;
      let refined;
      try {
        refined = yield refineWith(reply.refine.id, reply.intent, scope);
      } catch (err) {
        const code = err instanceof MiniaskError ? err.code : "";
        if (code === "blocked_output" || code === "aborted" || code === "callback_error") throw err;
        return Object.assign(fast, { refined: false });
      }
      show(refined.answer, "final");
      return Object.assign(fast, { answer: refined.answer, model: refined.model, usage: sumUsage(reply.usage, refined.usage), refined: true });
    });
  }
  function askStream(intent, input, streamOptions = {}) {
    var _a2;
    const traceId = (_a2 = streamOptions.traceId) != null ? _a2 : newTraceId(now);
    const scope = {};
    const run = () => __async(null, null, function* () {
      var _a3;
      if (!canStreamChunks(wxApi)) return wholeAnswer(yield askWith(intent, input, streamOptions, traceId, scope), streamOptions, scope);
      const attempt = yield withSession(
        traceId,
        (s) => scope.aborted ? Promise.reject(scope.aborted) : streamOnce(wxApi, { url: askUrl(intent), method: "POST", header: Object.assign(headers(s, traceId), { accept: "text/event-stream" }), data: askBody(intent, s.userId, traceId, input, streamOptions, true), timeout: timeoutFor(intent) }, streamOptions, traceId, scope)
      );
      if (attempt.result) return attempt.result;
      if (attempt.whole) return wholeAnswer(attempt.whole, streamOptions, scope);
      throw (_a3 = attempt.error) != null ? _a3 : new MiniaskError("stream_incomplete", "the stream ended without an answer", traceId, attempt.statusCode);
    });
    return Object.assign(run(), {
      abort() {
        var _a3;
        if (scope.aborted) return;
        scope.aborted = new MiniaskError("aborted", "the page stopped the request", traceId, 0);
        (_a3 = scope.onAbort) == null ? void 0 : _a3.call(scope);
      }
    });
  }
  let flagsCache;
  function flags() {
    return __async(this, null, function* () {
      if (flagsCache && now() - flagsCache.fetchedAt < 6e4) return flagsCache.flags;
      const traceId = newTraceId(now);
      const res = yield withSession(
        traceId,
        (s) => sendRequest(wxApi, { url: flagsUrl, method: "GET", header: { authorization: `Bearer ${s.token}`, "x-trace-id": traceId }, dataType: "json", timeout: timeoutFor("auth") }, traceId).reply
      );
      const body = bodyOf(res.data);
      if (res.statusCode !== 200 || !body || typeof body !== "object" || !body.intents) throw errorFromBody(body, res.statusCode, traceId, res.header);
      flagsCache = { flags: body, fetchedAt: now() };
      return body;
    });
  }
  function answer(_0, _1) {
    return __async(this, arguments, function* (intent, input, streamOptions = {}) {
      var _a2;
      const wantsText = streamOptions.onDelta !== void 0 || streamOptions.onText !== void 0;
      const streaming = wantsText && ((_a2 = (yield flags()).intents[intent]) == null ? void 0 : _a2.features.streaming) === true;
      return streaming ? askStream(intent, input, streamOptions) : ask(intent, input, streamOptions);
    });
  }
  return {
    ask,
    askStream,
    refine,
    answer,
    flags,
    login: () => sessions.login(newTraceId(now)),
    /** Forgets the session, in memory and in storage: the next call logs in with wx.login again. */
    logout: () => sessions.logout(),
    /** The signed-in userId, when there is a session. */
    userId: () => sessions.userId()
  };
}

// miniprogram/src/intents.ts
var SUPPORT_LIMITS = {
  maxHistoryTurns: 20,
  maxTurnChars: 4e3,
  maxQuestionChars: 4e3,
  maxUserIdChars: 128,
  maxBodyBytes: 65536,
  maxInputChars: 12e3
};

// miniprogram/src/conversation.ts
function utf8Bytes(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 128) bytes += 1;
    else if (unit < 2048) bytes += 2;
    else if (unit >= 55296 && unit < 56320 && i + 1 < text.length && (text.charCodeAt(i + 1) & 64512) === 56320) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
function cutText(text, max) {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 55296 && last < 56320 ? max - 1 : max);
}
function inputChars(envelope, history) {
  let chars = envelope.question.length;
  for (const turn of history) chars += turn.role.length + turn.content.length;
  const context = envelope.context || {};
  for (const key in context) {
    const value = context[key];
    chars += key.length + (typeof value === "string" ? value.length : 0);
  }
  return chars;
}
function bodyBytes(envelope, history, limits) {
  const userId = envelope.userId || "x".repeat(limits.maxUserIdChars);
  const body = { intent: "support", userId, traceId: envelope.traceId, input: { question: envelope.question, history }, context: envelope.context, profile: envelope.profile, stream: true };
  return utf8Bytes(JSON.stringify(body));
}
function fitHistory(turns, envelope, limits = SUPPORT_LIMITS) {
  const kept = [];
  for (const turn of turns) if (turn.content !== "") kept.push({ role: turn.role, content: cutText(turn.content, limits.maxTurnChars) });
  const dropOldest = () => {
    kept.shift();
    while (kept.length > 0 && kept[0].role === "assistant") kept.shift();
  };
  while (kept.length > 0 && kept[0].role === "assistant") kept.shift();
  while (kept.length > limits.maxHistoryTurns) dropOldest();
  while (kept.length > 0 && (inputChars(envelope, kept) > limits.maxInputChars || bodyBytes(envelope, kept, limits) > limits.maxBodyBytes)) dropOldest();
  return kept;
}
function conversation(client, options = {}) {
  const limits = options.limits || SUPPORT_LIMITS;
  let turns = (options.history || []).slice();
  return {
    send(question, sendOptions = {}) {
      const traceId = sendOptions.traceId || newTraceId();
      const asked = question.trim();
      const envelope = { question: asked, userId: client.userId(), traceId, context: sendOptions.context, profile: sendOptions.profile };
      const history = fitHistory(turns, envelope, limits);
      const call = client.askStream("support", { question: asked, history }, Object.assign({}, sendOptions, { traceId }));
      const recorded = call.then((reply) => {
        turns = fitHistory(turns.concat([{ role: "user", content: asked }, { role: "assistant", content: reply.answer }]), { question: "", traceId: "" }, limits);
        return reply;
      });
      return Object.assign(recorded, { abort: () => call.abort() });
    },
    history: () => turns.slice(),
    reset() {
      turns = [];
    }
  };
}
