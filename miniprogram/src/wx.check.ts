// Compiled only by miniprogram/tsconfig.json (with miniprogram-api-typings): fails the build
// if the client's WxLike stops matching the real wx API.
import type { WxLike } from "./wx";

export const realWxFits: (wxApi: WechatMiniprogram.Wx) => WxLike = (wxApi) => wxApi;
