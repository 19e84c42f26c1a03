// The app token: read from storage at start, logged in for with wx.login once even when several
// calls need it together, refreshed before expiry, dropped on a 401 and by logout().
import { MiniaskError, errorFromBody } from "./errors";
import { bodyOf, missingApi, sendRequest } from "./transport";
import type { WxLike } from "./wx";

export interface Session {
  token: string;
  userId: string;
  /** Seconds since the epoch; 0 when unknown (then it is used until the server says 401). */
  expiresAt: number;
}

export function isSession(value: unknown): value is Session {
  const v = value as Partial<Session> | null;
  return !!v && typeof v === "object" && typeof v.token === "string" && v.token !== "" && typeof v.userId === "string" && typeof v.expiresAt === "number";
}

export function createSessionKeeper(deps: {
  wxApi: WxLike;
  storageKey: string;
  loginUrl: string;
  now: () => number;
  refreshMarginSeconds: number;
  timeoutMs: number;
  newTraceId: () => string;
  initial: Session | undefined;
}) {
  const { wxApi, storageKey } = deps;
  // Storage can throw (quota, a broken value): the session then lives in memory only.
  const storage = {
    read(): unknown {
      try {
        return typeof wxApi.getStorageSync === "function" ? wxApi.getStorageSync(storageKey) : undefined;
      } catch {
        return undefined;
      }
    },
    write(value: Session): void {
      try {
        if (typeof wxApi.setStorageSync === "function") wxApi.setStorageSync(storageKey, value);
      } catch {
        // memory only
      }
    },
    remove(): void {
      try {
        if (typeof wxApi.removeStorageSync === "function") wxApi.removeStorageSync(storageKey);
        else if (typeof wxApi.setStorageSync === "function") wxApi.setStorageSync(storageKey, "");
      } catch {
        // nothing stored to remove
      }
    },
  };

  const stored = storage.read();
  let session: Session | undefined = deps.initial ?? (isSession(stored) ? stored : undefined);
  let loggingIn: Promise<Session> | undefined;
  // A login that started before logout() must not sign the user back in when it lands.
  let generation = 0;

  const wxCode = (traceId: string) =>
    new Promise<string>((resolve, reject) => {
      if (typeof wxApi.login !== "function") return reject(missingApi("wx.login", traceId));
      try {
        wxApi.login({
          timeout: deps.timeoutMs,
          success: (res) => (res && typeof res.code === "string" && res.code !== "" ? resolve(res.code) : reject(new MiniaskError("wx_login_failed", "wx.login gave no code", traceId, 0))),
          fail: (err) => reject(new MiniaskError("wx_login_failed", (err && err.errMsg) || "login:fail", traceId, 0)),
        });
      } catch (err) {
        reject(new MiniaskError("wx_login_failed", `wx.login threw: ${err instanceof Error ? err.message : String(err)}`, traceId, 0, { cause: err }));
      }
    });

  async function loginOnce(traceId: string): Promise<Session> {
    const startedIn = generation;
    const code = await wxCode(traceId);
    const res = await sendRequest(
      wxApi,
      { url: deps.loginUrl, method: "POST", header: { "content-type": "application/json", "x-trace-id": traceId }, data: JSON.stringify({ code }), dataType: "json", timeout: deps.timeoutMs },
      traceId,
    ).reply;
    const body = bodyOf(res.data);
    if (res.statusCode !== 200 || !isSession(body)) throw errorFromBody(body, res.statusCode, traceId, res.header);
    const fresh: Session = { token: body.token, userId: body.userId, expiresAt: body.expiresAt };
    if (startedIn !== generation) throw new MiniaskError("logged_out", "logout() was called while logging in", traceId, 0);
    session = fresh;
    storage.write(fresh);
    return fresh;
  }

  /** Logs in once even when several calls need a token at the same time. */
  function login(traceId: string = deps.newTraceId()): Promise<Session> {
    if (loggingIn) return loggingIn;
    const pending = loginOnce(traceId);
    loggingIn = pending;
    // Promise.prototype.finally is ES2018: older base libraries lack it.
    const clear = () => {
      if (loggingIn === pending) loggingIn = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }

  return {
    login,
    async current(traceId: string): Promise<Session> {
      if (session && (session.expiresAt === 0 || session.expiresAt - deps.refreshMarginSeconds > deps.now() / 1000)) return session;
      return login(traceId);
    },
    /** The server refused the token: the next call logs in again. */
    drop(): void {
      session = undefined;
    },
    logout(): void {
      generation++;
      session = undefined;
      loggingIn = undefined;
      storage.remove();
    },
    userId: (): string | undefined => session?.userId,
  };
}
