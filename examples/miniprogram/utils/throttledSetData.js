// setData crosses from the logic layer to the render layer: calling it for every streamed piece
// makes a long answer stutter. This merges updates and sends them at most once per interval,
// always sending the last one.
function throttledSetData(page, intervalMs) {
  let pending = null
  let timer = null
  const send = () => {
    timer = null
    if (!pending) return
    const data = pending
    pending = null
    page.setData(data)
  }
  return {
    set(data) {
      pending = Object.assign(pending || {}, data)
      if (!timer) timer = setTimeout(send, intervalMs)
    },
    /** Sends what is waiting now (before the final answer, so nothing older lands after it). */
    flush() {
      if (timer) clearTimeout(timer)
      send()
    },
  }
}

module.exports = { throttledSetData }
