/**
 * How long the Monitor waits for its Engine and its Central, and why: every wait counts the time
 * this process was on time only (`shared/loop_lag.ts`), so these are for peers that hang, not for
 * a busy machine.
 *
 * @module
 */

/** Time between two health checks of the Engine. */
export const CHECK_EVERY_MS = 1_000;
/**
 * Time before checking again an Engine that said KO: its recovery is news soon, not at the next
 * second. A restarted Engine says KO until its Kafka side is connected (a few hundred ms after it
 * listens), so its CP waited a whole check for nothing: available 1.1 s after the restart in one
 * run of two, 0.3 s in the other.
 */
export const RECHECK_KO_MS = 200;
/**
 * Time between two reports to Central while nothing changes (a change is reported at once): the
 * report is the link's keepalive and brings back what Central shows of the CP. Each is a round
 * trip on both sides (~85 µs of CPU): at one a second they were a third of the simulator's socket
 * traffic and most of Central's.
 */
export const REPORT_EVERY_MS = 2_000;
/**
 * A health check unanswered this long (while the Monitor was on time) counts as KO. An Engine that
 * says KO or dies is news at once (its answer, its closed connection); this is for one that hangs.
 * It is not shorter because this process's lateness is measured, not known: at 1,500 CPs in one
 * simulator process, 800 ms gave hundreds of false KOs a minute while the loop was busy.
 */
export const CHECK_TIMEOUT_MS = 2_000;
/** How long the first registration waits for a starting Engine to answer OK. */
export const ENGINE_GRACE_MS = 3_000;
/**
 * Central silent this long (no ACK to a report, the Monitor on time): the Monitor registers again
 * on a new connection (keeping the silent one until then). A Central that was killed closes its
 * connections, which is news at once; this is for one that hangs or whose network went. It is long
 * because a late Central is not a gone one: at 3 s, an overloaded Central got thousands of
 * registrations again a minute, which made it later still.
 */
export const CENTRAL_TIMEOUT_MS = 8_000;
/**
 * How long a request is kept waiting at all: past this, a Monitor that was late all along gives
 * up on that one answer (and judges nothing by it).
 */
export const GIVE_UP_MS = 10_000;
/**
 * An AUTH unanswered this long (the Monitor on time): the registration is tried again. Longer than
 * {@link CENTRAL_TIMEOUT_MS} because a Central registering thousands of CPs at once (each AUTH a
 * lookup and an audit row) answers late, not never: at 3,000 CPs on the embedded database some
 * answers took over 8 s, and a Monitor that gave up and registered again made Central show its CP
 * disconnected between the two links.
 */
export const AUTH_TIMEOUT_MS = 20_000;
