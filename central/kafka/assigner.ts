/**
 * A partition assigner that keeps a CP's topics together: each Central instance runs one
 * consumer per CP topic (requests, telemetry) in one consumer group, and partition `p` of every
 * CP topic goes to the same instance. So the instance that owns a CP's requests also gets its
 * telemetry, in order, and ownership is Kafka's assignment.
 *
 * Every consumer subscribes to all the CP topics (the group's leader must know them all) and
 * says in its metadata which instance it belongs to and which topic it reads (its role).
 *
 * @module
 */
import { AssignerProtocol, type PartitionAssigner } from "kafkajs";
import { Buffer } from "node:buffer";

/** What a member says of itself. */
export interface MemberRole {
  instance: string;
  /** The topic it reads. */
  topic: string;
}

/** The name the group agrees on. */
export const ASSIGNER_NAME = "EvChargingCoPartition";

/** Encodes a member's role for its metadata. */
export function encodeRole(role: MemberRole): Buffer {
  return Buffer.from(JSON.stringify(role));
}

function decodeRole(userData: Buffer | undefined): MemberRole | undefined {
  try {
    const role = JSON.parse(new TextDecoder().decode(userData ?? new Uint8Array()));
    return typeof role?.instance === "string" && typeof role?.topic === "string" ? role : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Partition `p` of each topic → the instance at `p mod n` among the instances (sorted) that
 * have a member for every topic; while none has (an instance starting), by the topic's members.
 *
 * @example
 * ```ts
 * assignPartitions([{ memberId: "m1", instance: "a", topic: "t" }], { t: 2 }); // { m1: { t: [0, 1] } }
 * ```
 */
export function assignPartitions(
  members: Array<{ memberId: string } & MemberRole>,
  partitions: Record<string, number>,
): Record<string, Record<string, number[]>> {
  const topics = Object.keys(partitions);
  const byInstance = new Map<string, Map<string, string>>();
  for (const m of members) {
    if (!byInstance.has(m.instance)) byInstance.set(m.instance, new Map());
    byInstance.get(m.instance)!.set(m.topic, m.memberId);
  }
  const complete = [...byInstance].filter(([, roles]) => topics.every((t) => roles.has(t)))
    .map(([instance]) => instance).sort();
  // every member gets every topic, if only with no partition: kafkajs keeps per-topic offsets
  // that a member's in-flight fetch still reads while a new assignment replaces them
  const out: Record<string, Record<string, number[]>> = {};
  for (const m of members) out[m.memberId] = Object.fromEntries(topics.map((t) => [t, []]));
  for (const topic of topics) {
    const readers = complete.length > 0
      ? complete.map((i) => byInstance.get(i)!.get(topic)!)
      : members.filter((m) => m.topic === topic).map((m) => m.memberId).sort();
    if (readers.length === 0) continue;
    for (let p = 0; p < partitions[topic]; p++) {
      const member = readers[p % readers.length];
      out[member][topic].push(p);
    }
  }
  return out;
}

/** The kafkajs assigner for a consumer of `role`, among the CP topics `topics`. */
export function coPartitionAssigner(role: MemberRole, topics: string[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: ASSIGNER_NAME,
    version: 1,
    protocol: () => ({
      name: ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: encodeRole(role),
      }),
    }),
    assign: ({ members }) => {
      const decoded = members.flatMap((m) => {
        const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        const r = decodeRole(meta?.userData);
        return r ? [{ memberId: m.memberId, ...r }] : [];
      });
      const partitions = Object.fromEntries(
        topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).length]),
      );
      const assignment = assignPartitions(decoded, partitions);
      return Promise.resolve(members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: assignment[m.memberId] ??
            Object.fromEntries(topics.map((t) => [t, []])),
          userData: Buffer.alloc(0),
        }),
      })));
    },
  });
}
