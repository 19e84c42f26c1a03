// One miniask client for every page (Mini Program modules are loaded once and shared).
// "miniask-client" is the client package (package.json: file:../../miniprogram); DevTools' npm
// build (构建 npm) copies its miniprogram_dist to miniprogram_npm/miniask-client, where require finds it.
const { createMiniaskClient } = require("miniask-client")
const config = require("./config")

let client

function miniask() {
  if (!client) {
    const dev = config.devSession
    client = createMiniaskClient({
      wx,
      baseUrl: config.baseUrl,
      session: dev && dev.token ? { token: dev.token, userId: dev.userId } : undefined,
    })
  }
  return client
}

/** What a page shows for a failed call: the stable code, the message, and the traceId. */
function describeError(err) {
  if (err && err.code) {
    const fields = (err.details || []).map((d) => `${d.path}: ${d.message}`)
    const wait = err.retryAfter ? ` (try again in ${err.retryAfter} s)` : ""
    return { code: err.code, message: `${err.detail}${wait}`, fields, traceId: err.traceId }
  }
  return { code: "unexpected", message: String(err), fields: [], traceId: "" }
}

module.exports = { miniask, describeError }
