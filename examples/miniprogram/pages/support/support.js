// A support chat: conversation() sends each question with the turns so far (`history`, kept
// within the server's limits, oldest turns dropped first) and keeps the answer once it lands;
// the reply streams into the last bubble.
const { conversation } = require("miniask-client")
const { miniask, describeError } = require("../../miniaskClient")
const { throttledSetData } = require("../../utils/throttledSetData")

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
      if (!this.chat) this.chat = conversation(miniask())
      const messages = this.data.messages.concat([{ id: this.data.messages.length, role: "user", content: question }])
      this.setData({ messages, question: "", typing: "", busy: true, error: null })
      const view = throttledSetData(this, 80)
      this.call = this.chat.send(question, { onText: (textSoFar) => view.set({ typing: textSoFar }) })
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
