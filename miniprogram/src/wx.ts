// The part of `wx` the client uses. Kept structural so the module compiles beside Node's types
// in tests; miniprogram/src/wx.check.ts proves the real WechatMiniprogram.Wx fits it.

export interface WxRequestSuccess {
  statusCode: number;
  data: unknown;
  header: Record<string, string>;
}

export interface WxRequestOptions {
  url: string;
  method: "GET" | "POST";
  header: Record<string, string>;
  data?: string;
  dataType?: "json" | "text";
  responseType?: "text" | "arraybuffer";
  /** Deliver the body in chunks through RequestTask.onChunkReceived (base library >= 2.20.1). */
  enableChunked?: boolean;
  timeout?: number;
  success?: (res: WxRequestSuccess) => void;
  fail?: (err: { errMsg: string }) => void;
}

export interface WxRequestTask {
  onChunkReceived(listener: (res: { data: ArrayBuffer }) => void): void;
  abort(): void;
}

export interface WxLike {
  login(options: { timeout?: number; success?: (res: { code: string }) => void; fail?: (err: { errMsg: string }) => void }): void;
  request(options: WxRequestOptions): WxRequestTask;
  getStorageSync?(key: string): unknown;
  setStorageSync?(key: string, data: unknown): void;
}
