// The pages share one miniask client through miniaskClient.js; the app itself needs nothing.
App({})
