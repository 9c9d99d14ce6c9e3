import type Encoder from "./encoder_types.d.ts";
/** kafkajs's internal record batch encoder (`src/protocol/recordBatch/v0/index.js`), for a test. */
declare const RecordBatchV0: {
  RecordBatch(batch: {
    firstTimestamp?: number;
    maxTimestamp?: number;
    records: Encoder[];
  }): Promise<Encoder>;
};
export default RecordBatchV0;
