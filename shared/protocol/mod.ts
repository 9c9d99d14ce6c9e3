/**
 * The framed socket protocol between CP Monitor and Central, and between Monitor and Engine:
 * frames (`frame.ts`), fields (`fields.ts`), messages (`messages.ts`, one module per kind under
 * `messages/`) and the link that carries them over a connection (`link.ts`).
 *
 * @module
 */
export * from "./errors.ts";
export * from "./frame.ts";
export * from "./fields.ts";
export * from "./messages.ts";
export * from "./link.ts";
