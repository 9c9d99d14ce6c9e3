/** The part of kafkajs's internal encoder (`src/protocol/encoder.js`) that encoder_patch.ts uses. */
declare class Encoder {
  static encodeZigZag(value: number): number;
  static sizeOfVarInt(value: number): number;
  static sizeOfVarLong(value: unknown): number;
  buf: Uint8Array;
  offset: number;
  ensureAvailable(length: number): void;
  writeUVarInt(value: number): Encoder;
  writeVarLong(value: unknown): Encoder;
}
export default Encoder;
