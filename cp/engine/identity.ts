/**
 * Which CP an Engine is. Given on its command line, or, in the original positional form
 * (`<broker> <host:port>`, no id), learnt from its Monitor's first `IDENT` on their link.
 *
 * @module
 */
import type { Answer } from "../../shared/protocol/link.ts";

/**
 * An Engine's CP id, known from the start or learnt once; another id offered later is refused.
 *
 * @example
 * ```ts
 * import { EngineIdentity } from "./identity.ts";
 * const identity = new EngineIdentity();
 * identity.offer("MAD-01"); // { ack: [] }
 * console.log(await identity.known); // "MAD-01"
 * identity.offer("ALC1"); // { nack: "this Engine is MAD-01's, not ALC1's" }
 * ```
 */
export class EngineIdentity {
  /** Resolves with the id once it is known. */
  readonly known: Promise<string>;
  #id: string | undefined;
  #learn: (id: string) => void = () => {};

  /** @param id the id given on the command line, if any */
  constructor(id?: string) {
    this.known = new Promise((resolve) => (this.#learn = resolve));
    if (id !== undefined) this.#set(id);
  }

  /** The id, once known. */
  get id(): string | undefined {
    return this.#id;
  }

  /** A Monitor says which CP this is: learnt if none was known, else it must be the same. */
  offer(cpId: string): Answer {
    if (this.#id === undefined) this.#set(cpId);
    if (this.#id === cpId) return { ack: [] };
    return { nack: `this Engine is ${this.#id}'s, not ${cpId}'s` };
  }

  #set(id: string) {
    this.#id = id;
    this.#learn(id);
  }
}
