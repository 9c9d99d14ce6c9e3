import type Encoder from "./encoder_types.d.ts";
/** kafkajs's internal record encoder (`src/protocol/recordBatch/record/v0/index.js`), for a test. */
declare function Record(record: {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Uint8Array;
  value: Uint8Array;
  headers?: Record<string, string>;
}): Encoder;
export default Record;
