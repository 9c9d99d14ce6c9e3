// The driver's page: the network live, a charge asked for with one click, the supply followed
// live (the same notifications the driver's app gets), and the driver's tickets.

import { esc, LABEL, num } from "./common.js";

const $ = (id) => document.getElementById(id);
const cps = new Map();
let driver = localStorage.getItem("ev-driver") ?? "";
let mine = null; // { cp, sessionId?, state }
let follow = null;

function network() {
  const events = new EventSource("/api/events");
  events.addEventListener("snapshot", (e) => {
    cps.clear();
    for (const cp of JSON.parse(e.data).cps) cps.set(cp.id, cp);
    render();
  });
  events.addEventListener("cps", (e) => {
    for (const cp of JSON.parse(e.data)) cps.set(cp.id, cp);
    render();
  });
  events.addEventListener("removed", (e) => {
    cps.delete(JSON.parse(e.data).id);
    render();
  });
}

function identify(id) {
  driver = id;
  localStorage.setItem("ev-driver", id);
  $("driver-id").value = id;
  follow?.close();
  follow = new EventSource(`/api/drivers/${encodeURIComponent(id)}/events`);
  follow.addEventListener("open", () => setLink(true));
  follow.addEventListener("error", () => setLink(false));
  for (const type of ["authorized", "denied", "progress", "expired", "ticket"]) {
    follow.addEventListener(type, (e) => notified(JSON.parse(e.data)));
  }
  tickets();
  render();
}

function setLink(up) {
  $("link").textContent = up ? `following ${driver}` : "reconnecting…";
  $("link").className = `link ${up ? "up" : "down"}`;
}

function notified(e) {
  if (e.type === "authorized") {
    mine = {
      cp: e.cpId,
      sessionId: e.sessionId,
      state: `Authorized at ${e.cpId}: plug the car in`,
    };
  } else if (e.type === "denied") mine = { cp: e.cpId, state: `Denied at ${e.cpId}: ${e.reason}` };
  else if (e.type === "expired") {
    mine = { cp: e.cpId, state: `Reservation at ${e.cpId} released: ${e.reason}` };
  } else if (e.type === "progress") {
    mine = {
      cp: e.cpId,
      sessionId: e.sessionId,
      state: `Charging at ${e.cpId}`,
      live: `${num(e.kw, 1)} kW · ${num(e.kwh, 3)} kWh · ${num(e.eur, 2)} €`,
    };
  } else if (e.type === "ticket") {
    mine = {
      cp: e.cpId,
      state: `Ticket: ${num(e.kwh, 3)} kWh, ${num(e.eur, 2)} €${
        e.partial ? ` (partial: ${e.reason})` : ""
      }`,
    };
    tickets();
  }
  renderSupply();
}

async function request(cp) {
  mine = { cp, state: `Asking for a charge at ${cp}…` };
  renderSupply();
  const res = await fetch(`/api/drivers/${encodeURIComponent(driver)}/requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ cp }),
  });
  if (!res.ok) {
    mine = { cp, state: `Not sent: ${(await res.json().catch(() => ({}))).error ?? res.status}` };
    renderSupply();
  }
}

async function tickets() {
  if (!driver) return;
  const res = await fetch(`/api/sessions?driver=${encodeURIComponent(driver)}&limit=20`);
  const sessions = res.ok ? await res.json() : [];
  $("tickets").tBodies[0].innerHTML =
    sessions.map((s) =>
      `<tr><td>${esc(s.cp)}</td><td>${s.start ? new Date(s.start).toLocaleString() : "—"}</td><td>${
        s.end ? new Date(s.end).toLocaleTimeString() : "—"
      }</td><td>${num(s.kwh, 3)}</td><td>${num(s.eur, 2)}</td><td>${esc(s.status)}${
        s.partial ? " (partial)" : ""
      }</td></tr>`
    ).join("") || '<tr><td colspan="6" class="hint">no tickets yet</td></tr>';
}

function render() {
  const tiles = $("tiles");
  tiles.innerHTML = [...cps.values()].sort((a, b) => a.id.localeCompare(b.id)).map((cp) => `
    <article class="tile ${cp.state}" data-cp="${esc(cp.id)}">
      <div class="id"><span>${esc(cp.id)}</span><span class="price">${
    num(cp.pricePerKwh, 2)
  } €/kWh</span></div>
      <div class="where">${esc(cp.location || "—")}</div>
      <div class="state">${LABEL[cp.state] ?? cp.state}</div>
      ${
    cp.state === "available" && driver
      ? `<div class="buttons"><button data-charge="${esc(cp.id)}">Charge here</button></div>`
      : ""
  }
    </article>`).join("") || '<p class="hint">no charging points yet</p>';
  for (const b of tiles.querySelectorAll("button[data-charge]")) {
    b.addEventListener("click", () => request(b.dataset.charge));
  }
}

function renderSupply() {
  $("supply").hidden = !mine;
  if (!mine) return;
  $("supply-state").textContent = mine.state;
  $("supply-live").textContent = mine.live ?? "";
}

$("who").addEventListener("submit", (e) => {
  e.preventDefault();
  const id = $("driver-id").value.trim();
  if (id) identify(id);
});
network();
if (driver) identify(driver);
