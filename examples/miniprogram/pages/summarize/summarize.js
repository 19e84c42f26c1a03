// A summary that streams. dev's summarize_v2 refines: the fast model's text shows as a draft
// while it is written, the strong model's text replaces it, then the shaped answer (bullets)
// lands. Built with Component() so it runs the same in WeChat and in miniprogram-simulate.
const { miniask, describeError } = require("../../miniaskClient")
const { throttledSetData } = require("../../utils/throttledSetData")

Component({
  data: { text: "", maxBullets: 3, streamed: "", phase: "", answer: "", refined: false, busy: false, error: null, traceId: "" },
  methods: {
    onUnload() {
      if (this.call) this.call.abort()
    },
    onInput(e) {
      this.setData({ text: e.detail.value })
    },
    onSummarize() {
      if (this.data.busy || !this.data.text) return Promise.resolve()
      this.setData({ busy: true, streamed: "", phase: "", answer: "", refined: false, error: null, traceId: "" })
      const view = throttledSetData(this, 80)
      this.call = miniask().askStream(
        "summarize",
        { text: this.data.text, maxBullets: this.data.maxBullets },
        { onText: (textSoFar, phase) => view.set({ streamed: textSoFar, phase }) },
      )
      return this.call.then(
        (res) => {
          view.flush()
          this.setData({ busy: false, answer: res.answer, refined: res.refined === true, traceId: res.traceId })
        },
        (err) => {
          view.flush()
          this.setData({ busy: false, error: describeError(err) })
        },
      )
    },
  },
})
