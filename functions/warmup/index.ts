import { createWarmupHandler } from "../../lib/warmup/warmup";

export const main_handler = createWarmupHandler();
