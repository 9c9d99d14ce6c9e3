/**
 * Closing a Kafka client without waiting for ever on a broker that is gone. A consumer's close
 * commits and leaves its group, a producer's flushes what is queued: each waits on the broker,
 * and kafkajs retries for as long as it does not answer, so Ctrl+C with the broker down never
 * ended a program. A close waits at most {@link CLOSE_MS}; after that the program stops without
 * it (what it would have committed is read again by whoever reads next, as after a crash).
 *
 * @module
 */
import { createLogger, errorMessage } from "../log.ts";

const log = createLogger("kafka");

/** How long one close waits on the broker. */
export const CLOSE_MS = 5_000;
/** How long a close waits once one has gone unanswered in this process (the broker is gone). */
export const AFTER_UNANSWERED_MS = 500;

/** Whether a close has gone unanswered in this process: the next ones need not wait it out. */
let unanswered = false;

/**
 * Runs `close`, waiting at most `ms` for it; true when it ended in time (also by failing: a
 * close's error is only logged). On a timeout it says what was left, and the close goes on in
 * the background, unwaited. Once one close went unanswered, the next wait at most
 * {@link AFTER_UNANSWERED_MS}: Central closes its consumers, then its producers, one after the
 * other, and with the broker gone each used to wait out its own deadline.
 */
export async function closeInTime(
  what: string,
  close: () => Promise<unknown>,
  ms = CLOSE_MS,
): Promise<boolean> {
  const wait = unanswered ? Math.min(ms, AFTER_UNANSWERED_MS) : ms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = close().then(
    () => true,
    (e) => {
      log.debug(`${what}: closed with an error: ${errorMessage(e)}`);
      return true;
    },
  );
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), wait)));
  const inTime = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!inTime) {
    unanswered = true;
    log.warn(`${what}: Kafka did not answer in ${wait / 1000} s; stopped without it`);
  }
  return inTime;
}
