/**
 * Which partition a keyed record goes to: Kafka's default partitioner (murmur2 of the key's
 * UTF-8 bytes, made positive, modulo the partition count), exactly as kafkajs and the Java client
 * compute it. Pure: Central's core uses it to know which CPs a partition's owner owns.
 *
 * @module
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const encoder = new TextEncoder();

/**
 * Kafka's murmur2 hash of `key` (a signed 32-bit integer).
 *
 * @example
 * ```ts
 * murmur2("1"); // -1993445489
 * ```
 */
export function murmur2(key: string): number {
  const data = encoder.encode(key);
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition of `key` among `count` partitions.
 *
 * @example
 * ```ts
 * partitionOf("CP1", 12); // the partition kafkajs sends records keyed "CP1" to
 * ```
 */
export function partitionOf(key: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `Cannot partition as 'count' must be a positive integer: current value is ${count}`,
    );
  }
  return (murmur2(key) & 0x7fffffff) % count;
}
