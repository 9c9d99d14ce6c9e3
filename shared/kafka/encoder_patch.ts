/**
 * kafkajs 2.2.4's record encoder without its per-number garbage. A profile of Central at 3,000
 * CPs showed `FastBuffer` (Buffer construction) at 7.5 % of its time and the garbage collector
 * at 14.5 %: every variable-length number of every record (its length, offset, key and value
 * lengths, header count) became an array and a Buffer of its own, and every timestamp delta a few
 * `Long`s. The same bytes are written straight into the encoder's buffer here; numbers beyond the
 * fast path go the original way. `encoder_patch_test.ts` checks the bytes are the same.
 *
 * Applied once, by `client.ts`, before any Kafka client is made. The lock file pins kafkajs: a
 * version whose encoder lacks these methods is left alone.
 *
 * @module
 */
// kafkajs's own encoder, the module its protocol code requires (no types are published for it)
// @ts-types="./encoder_types.d.ts"
import Encoder from "kafkajs/src/protocol/encoder.js";

/** Below this magnitude a zigzag varlong is the same bytes as a zigzag varint. */
const SMALL = 2 ** 30;
const HIGH_BITS = 0xffffff80;

/** The encoder's own methods, as loaded (before any patch): for the test, and for fallbacks. */
export const originalEncoder = {
  writeUVarInt: Encoder.prototype.writeUVarInt,
  writeVarLong: Encoder.prototype.writeVarLong,
  sizeOfVarLong: Encoder.sizeOfVarLong,
};

let applied = false;

/** Replaces the encoder's varint writers with allocation-free ones (once). */
export function speedUpKafkaEncoder(): void {
  if (applied) return;
  applied = true;
  const proto = Encoder.prototype;
  if (typeof proto.writeUVarInt !== "function" || typeof proto.writeVarLong !== "function") return;
  const { writeVarLong, sizeOfVarLong } = originalEncoder;

  proto.writeUVarInt = function (this: Encoder, value: number) {
    this.ensureAvailable(5);
    let v = value;
    while ((v & HIGH_BITS) !== 0) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.offset++] = v & 0x7f;
    return this;
  };
  proto.writeVarLong = function (this: Encoder, value: unknown) {
    if (typeof value === "number" && value > -SMALL && value < SMALL && Number.isInteger(value)) {
      return this.writeUVarInt(Encoder.encodeZigZag(value));
    }
    return writeVarLong.call(this, value);
  };
  Encoder.sizeOfVarLong = function (value: unknown) {
    if (typeof value === "number" && value > -SMALL && value < SMALL && Number.isInteger(value)) {
      return Encoder.sizeOfVarInt(value);
    }
    return sizeOfVarLong.call(Encoder, value);
  };
}
