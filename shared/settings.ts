/**
 * The settings that several programs share, declared once (names are a contract: BRIEF.md §1).
 *
 * @module
 */
import type { NumberRange, Setting } from "./config.ts";

/**
 * The sane range of each kind of numeric setting. Seconds stay far below what a timer can hold
 * (2^31 ms, about 24.8 days): beyond it a timer fires at once.
 */
export const RANGES = {
  /** How long a reservation waits for the car: a second to a day. */
  reservationSeconds: { min: 1, max: 86_400, unit: "seconds" },
  /** A wait or a delay given in seconds (plug, unplug, pause, timeout): up to a day. */
  seconds: { min: 0, max: 86_400, unit: "seconds" },
  /** How long a run lasts: up to a week. */
  durationSeconds: { min: 0, max: 604_800, unit: "seconds" },
  /** Price per kWh in euros (the socket protocol carries less than 100). */
  price: { min: 0, max: 99.99, unit: "euros per kWh" },
  /** A CP's largest power. */
  kw: { min: 0.1, max: 1_000, unit: "kW" },
  /** How many of something a simulator starts. */
  count: { min: 1, max: 100_000, integer: true },
  /** How many, where none is fine. */
  countOrNone: { min: 0, max: 100_000, integer: true },
} as const satisfies Record<string, NumberRange>;

/** Kafka bootstrap servers. */
export const KAFKA: Setting = {
  env: "EV_KAFKA",
  default: "127.0.0.1:9092",
  help: "Kafka bootstrap servers, comma-separated",
  placeholder: "HOST:PORT,...",
};

/** Prefix of every topic name, so that several networks (or test runs) can share one broker. */
export const TOPIC_PREFIX: Setting = {
  env: "EV_TOPIC_PREFIX",
  default: "ev.",
  help: "prefix of every Kafka topic name",
  placeholder: "PREFIX",
};

/** Where Central is, for a Monitor. */
export const CENTRAL: Setting = {
  env: "EV_CENTRAL",
  default: "127.0.0.1:7000",
  help:
    "where Central's socket server is (several instances: a comma-separated list, tried in turn)",
  placeholder: "HOST:PORT[,HOST:PORT…]",
};

/** A CP's id. */
export const CP_ID: Setting = { env: "EV_CP_ID", help: "charging point id", placeholder: "ID" };

/** A CP's location, sent at registration. */
export const LOCATION: Setting = {
  env: "EV_CP_LOCATION",
  help: "where the CP is (sent at registration)",
  placeholder: "TEXT",
};

/**
 * A CP's price per kWh, sent at registration. None keeps the price it was enrolled with (0.30
 * unless given then), so that a CP restarted without the flag never changes its price.
 */
export const PRICE: Setting = {
  env: "EV_CP_PRICE",
  help: "price per kWh in euros (none: as enrolled)",
  placeholder: "EUR",
};

/** Where a program keeps its files (embedded database, an Engine's ongoing supply). */
export const DATA_DIR: Setting = {
  env: "EV_DATA_DIR",
  default: "./data",
  help: "folder for this program's files",
  placeholder: "DIR",
};

/** Print log lines instead of a panel even on a terminal. */
export const NO_PANEL: Setting = {
  env: "EV_NO_PANEL",
  boolean: true,
  help: "print log lines instead of a panel",
};
