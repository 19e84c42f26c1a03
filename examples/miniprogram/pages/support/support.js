// A support chat: each question goes out with the conversation so far (`history`), the reply
// streams into the last bubble. dev's support_v2 calls tools, so its reply comes whole (one
// piece): the page does not need to know.
const { miniask, describeError } = require("../../miniaskClient")
const { throttledSetData } = require("../../utils/throttledSetData")

const MAX_HISTORY = 10

Component({
  data: { messages: [], question: "", typing: "", busy: false, error: null },
  methods: {
    onUnload() {
      if (this.call) this.call.abort()
    },
    onInput(e) {
      this.setData({ question: e.detail.value })
    },
    onSend() {
      const question = this.data.question.trim()
      if (this.data.busy || !question) return Promise.resolve()
      const history = this.data.messages.slice(-MAX_HISTORY).map((m) => ({ role: m.role, content: m.content }))
      const messages = this.data.messages.concat([{ id: this.data.messages.length, role: "user", content: question }])
      this.setData({ messages, question: "", typing: "", busy: true, error: null })
      const view = throttledSetData(this, 80)
      this.call = miniask().askStream("support", { question, history }, { onText: (textSoFar) => view.set({ typing: textSoFar }) })
      return this.call.then(
        (res) => {
          view.flush()
          const reply = { id: messages.length, role: "assistant", content: res.answer }
          this.setData({ messages: messages.concat([reply]), typing: "", busy: false })
        },
        (err) => {
          view.flush()
          this.setData({ typing: "", busy: false, error: describeError(err) })
        },
      )
    },
  },
})
