// What the dashboard and the driver's page share: state labels and safe formatting.

/** The label people see for each CP state. */
export const LABEL = {
  available: "Available",
  reserved: "Reserved",
  charging: "Charging",
  stopped: "Out of Order",
  faulted: "Faulted",
  disconnected: "Disconnected",
};

/** Text made safe to put in HTML. */
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A number with `d` decimals, or a dash. */
export const num = (n, d) => (typeof n === "number" ? n.toFixed(d) : "—");
