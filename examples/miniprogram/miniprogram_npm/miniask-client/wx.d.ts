export interface WxRequestSuccess {
    statusCode: number;
    /** An object (dataType json and a JSON body), a string, or an ArrayBuffer (responseType arraybuffer). */
    data: unknown;
    /** Header names as the server sent them: compare them without case. */
    header: Record<string, string>;
}
export interface WxRequestOptions {
    url: string;
    method: "GET" | "POST";
    header: Record<string, string>;
    data?: string;
    dataType?: "json" | "text";
    responseType?: "text" | "arraybuffer";
    /** Deliver the body in chunks through RequestTask.onChunkReceived (base library >= 2.20.2). */
    enableChunked?: boolean;
    timeout?: number;
    success?: (res: WxRequestSuccess) => void;
    fail?: (err: {
        errMsg: string;
        errno?: number;
    }) => void;
}
export interface WxRequestTask {
    /** Base library >= 2.20.1; missing before (and on `wx.request` doubles that return nothing). */
    onChunkReceived?(listener: (res: {
        data: ArrayBuffer;
    }) => void): void;
    abort?(): void;
}
export interface WxLike {
    login?(options: {
        timeout?: number;
        success?: (res: {
            code: string;
        }) => void;
        fail?: (err: {
            errMsg: string;
        }) => void;
    }): void;
    request?(options: WxRequestOptions): WxRequestTask | undefined;
    /** Base library >= 1.1.1. Schemas: "request.object.enableChunked", "RequestTask.onChunkReceived". */
    canIUse?(schema: string): boolean;
    getStorageSync?(key: string): unknown;
    setStorageSync?(key: string, data: unknown): void;
    removeStorageSync?(key: string): void;
}
