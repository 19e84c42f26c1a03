// Where the example reaches miniask. `npm start` listens on port 9000; DevTools reaches it when
// "Does not verify valid domain names" is on (project.config.json sets urlCheck: false). On a
// phone (preview), use your computer's LAN address instead of 127.0.0.1.
module.exports = {
  baseUrl: "http://127.0.0.1:9000",
  // In dev, without WECHAT_APPID/WECHAT_SECRET on the server, /v1/mini/login answers 503: paste
  // the last line of `npm run --silent token -- u_dev` here and the example uses that token.
  devSession: { token: "", userId: "u_dev" },
}
