// Credentials a URL can carry, masked wherever a URL setting is printed (start-up lines, the
// `listening` log line, start-up errors): a password or token in the userinfo
// (`redis://:pw@host`, `https://user:pw@host`, `https://TOKEN@host`) and the query parameters
// providers and gateways take keys in (`?key=`, `?api_key=`, `?access_token=`, ...). Works on
// any text, so a message that quotes a URL can be masked whole.

/** Query parameter names whose value is a credential (compared case-insensitively). */
const SECRET_PARAMS = ["key", "api_key", "apikey", "api-key", "x-api-key", "token", "access_token", "auth", "secret", "client_secret", "password", "pass", "pwd", "sig", "signature", "sign"];

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*)@/gi;
const QUERY_SECRET = new RegExp(`([?&;](?:${SECRET_PARAMS.join("|")})=)[^&;#\\s]*`, "gi");

export const MASK = "***";

/** `text` with every URL credential replaced by `***` (a user name without a password is kept only when a password follows). */
export function maskUrlCredentials(text: string): string {
  return text
    .replace(USERINFO, (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      // A lone userinfo (no colon) is a token more often than a name (https://TOKEN@host).
      return colon === -1 ? `${scheme}${MASK}@` : `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
    })
    .replace(QUERY_SECRET, `$1${MASK}`);
}
