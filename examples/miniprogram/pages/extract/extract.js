// A form filled from free text: extract answers an object with exactly the fields asked for
// (null when the text lacks one). Not streamed: a half-written JSON object is nothing to show.
// A refused input shows the server's code and, for validation errors, each field it named.
const { miniask, describeError } = require("../../miniaskClient")

Component({
  data: { text: "", fields: "name, phone, city", rows: [], busy: false, error: null },
  methods: {
    onText(e) {
      this.setData({ text: e.detail.value })
    },
    onFields(e) {
      this.setData({ fields: e.detail.value })
    },
    onExtract() {
      if (this.data.busy) return Promise.resolve()
      const fields = this.data.fields.split(",").map((f) => f.trim()).filter((f) => f !== "")
      this.setData({ busy: true, rows: [], error: null })
      return miniask()
        .ask("extract", { text: this.data.text, fields })
        .then(
          (res) => {
            const rows = fields.map((name) => ({ name, value: res.answer[name] === null || res.answer[name] === undefined ? "—" : String(res.answer[name]) }))
            this.setData({ busy: false, rows })
          },
          (err) => this.setData({ busy: false, error: describeError(err) }),
        )
    },
  },
})
