// The dashboard: the network live over Server-Sent Events, operator orders over the HTTP API.
// No build step: plain ES modules, served by Central as they are.

import { esc, LABEL, num } from "./common.js";

const cps = new Map(); // id -> CP view (GET /api/cps shape)
const power = new Map(); // id -> { sessionId, points: [{ t, kw }] } for the live chart
let messages = [];
let selected = null;

const $ = (id) => document.getElementById(id);

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => setLink(true));
  events.addEventListener("error", () => setLink(false));
  events.addEventListener("snapshot", (e) => {
    const data = JSON.parse(e.data);
    cps.clear();
    for (const cp of data.cps) cps.set(cp.id, cp);
    messages = data.messages;
    renderAll();
  });
  // the views that changed, twice a second at most
  events.addEventListener("cps", (e) => {
    for (const cp of JSON.parse(e.data)) {
      cps.set(cp.id, cp);
      record(cp);
      renderTile(cp);
      if (selected === cp.id) renderDetail(false);
    }
    renderRequests();
    renderCounts();
  });
  events.addEventListener("removed", (e) => {
    const { id } = JSON.parse(e.data);
    cps.delete(id);
    document.querySelector(`[data-cp="${CSS.escape(id)}"]`)?.remove();
    renderRequests();
    renderCounts();
  });
  events.addEventListener("message", (e) => {
    messages.push(JSON.parse(e.data));
    messages = messages.slice(-50);
    renderMessages();
  });
}

function setLink(up) {
  const link = $("link");
  link.textContent = up ? "live" : "reconnecting…";
  link.className = `link ${up ? "up" : "down"}`;
}

function record(cp) {
  if (cp.state !== "charging" || cp.kw === undefined) return;
  let series = power.get(cp.id);
  if (!series || series.sessionId !== cp.sessionId) {
    series = { sessionId: cp.sessionId, points: [] };
    power.set(cp.id, series);
  }
  series.points.push({ t: Date.parse(cp.updatedAt), kw: cp.kw });
  if (series.points.length > 600) series.points.shift();
}

function renderAll() {
  const tiles = $("tiles");
  tiles.replaceChildren();
  for (const cp of [...cps.values()].sort((a, b) => a.id.localeCompare(b.id))) renderTile(cp);
  if (cps.size === 0) {
    tiles.innerHTML =
      '<p class="hint">No CP enrolled yet: POST /api/cps, or deno task central -- enroll &lt;id&gt;.</p>';
  }
  renderRequests();
  renderMessages();
  renderCounts();
}

function renderTile(cp) {
  const tiles = $("tiles");
  tiles.querySelector("p.hint")?.remove();
  let tile = tiles.querySelector(`[data-cp="${CSS.escape(cp.id)}"]`);
  if (!tile) {
    tile = document.createElement("article");
    tile.dataset.cp = cp.id;
    tile.tabIndex = 0;
    tile.addEventListener("click", (e) => {
      if (e.target.closest("button")) return;
      select(cp.id);
    });
    tile.addEventListener("keydown", (e) => e.key === "Enter" && select(cp.id));
    const after = [...tiles.children].find((t) => t.dataset.cp > cp.id);
    tiles.insertBefore(tile, after ?? null);
  }
  tile.className = `tile ${cp.state}`;
  const live = cp.state === "charging"
    ? `<div class="live">${esc(cp.driverId)} · ${num(cp.kw, 1)} kW</div><div class="live">${
      num(cp.kwh, 3)
    } kWh · ${num(cp.eur, 2)} €</div>`
    : cp.state === "reserved"
    ? `<div class="live">for ${esc(cp.driverId)}</div>`
    : "";
  const order = cp.state === "stopped" ? ["resume", "Resume"] : ["stop", "Stop"];
  tile.innerHTML = `
    <div class="id"><span>${esc(cp.id)}</span><span class="price">${
    num(cp.pricePerKwh, 2)
  } €/kWh</span></div>
    <div class="where">${esc(cp.location || "—")}</div>
    ${live}
    <div class="state">${LABEL[cp.state] ?? cp.state}</div>
    <div class="buttons"><button data-order="${order[0]}">${order[1]}</button></div>`;
  tile.querySelector("button").addEventListener("click", () => order1(cp.id, order[0]));
}

function renderRequests() {
  const rows = [...cps.values()].filter((cp) => cp.driverId).map((cp) => {
    const since = new Date(cp.since ?? cp.updatedAt);
    return `<tr><td>${since.toLocaleDateString()}</td><td>${since.toLocaleTimeString()}</td><td>${
      esc(cp.driverId)
    }</td><td>${esc(cp.id)}</td><td>${LABEL[cp.state]}</td></tr>`;
  });
  $("requests").tBodies[0].innerHTML = rows.join("") ||
    '<tr><td colspan="5" class="hint">none</td></tr>';
}

function renderMessages() {
  $("messages").innerHTML =
    [...messages].reverse().map((m) =>
      `<li class="${m.level}"><span class="time">${new Date(m.at).toLocaleTimeString()}</span>${
        esc(m.text)
      }</li>`
    ).join("") || '<li class="hint">none</li>';
}

function renderCounts() {
  const counts = {};
  for (const cp of cps.values()) counts[cp.state] = (counts[cp.state] ?? 0) + 1;
  $("counts").textContent = `${cps.size} CPs · ` +
    Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(" · ");
}

async function select(id) {
  selected = selected === id ? null : id;
  await renderDetail(true);
}

async function renderDetail(fetchSessions) {
  const detail = $("detail");
  const cp = cps.get(selected);
  if (!cp) {
    detail.hidden = true;
    return;
  }
  detail.hidden = false;
  if (fetchSessions || !detail.dataset.cp || detail.dataset.cp !== cp.id) {
    detail.dataset.cp = cp.id;
    detail.innerHTML = `<header><h2>${esc(cp.id)} — ${
      esc(cp.location || "")
    }</h2><button id="close-detail">Close</button></header>
      <p id="detail-state"></p><canvas id="chart" width="800" height="140"></canvas>
      <h2>Recent sessions</h2><table id="sessions"><thead><tr><th>Driver</th><th>Start</th><th>End</th><th>kWh</th><th>€</th><th>Status</th></tr></thead><tbody></tbody></table>`;
    $("close-detail").addEventListener("click", () => select(cp.id));
    const res = await fetch(`/api/sessions?cp=${encodeURIComponent(cp.id)}&limit=10`);
    const sessions = res.ok ? await res.json() : [];
    $("sessions").tBodies[0].innerHTML = sessions.map((s) =>
      `<tr><td>${esc(s.driver)}</td><td>${time(s.start ?? s.authorizedAt)}</td><td>${
        time(s.end)
      }</td><td>${num(s.kwh, 3)}</td><td>${num(s.eur, 2)}</td><td>${esc(s.status)}${
        s.partial ? " (partial)" : ""
      }</td></tr>`
    ).join("") || '<tr><td colspan="6" class="hint">no sessions yet</td></tr>';
  }
  $("detail-state").textContent = `${LABEL[cp.state]}${cp.driverId ? ` · ${cp.driverId}` : ""}` +
    (cp.state === "charging"
      ? ` · ${num(cp.kw, 1)} kW · ${num(cp.kwh, 3)} kWh · ${num(cp.eur, 2)} €`
      : "");
  drawChart($("chart"), cp.state === "charging" ? power.get(cp.id)?.points ?? [] : []);
}

function drawChart(canvas, points) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#8b98a5";
  ctx.font = "12px system-ui";
  if (points.length < 2) {
    ctx.fillText("power of the current supply appears here while charging", 10, height / 2);
    return;
  }
  const max = Math.max(...points.map((p) => p.kw)) * 1.15;
  const t0 = points[0].t;
  const span = Math.max(1, points.at(-1).t - t0);
  ctx.strokeStyle = "#1f9d55";
  ctx.lineWidth = 2;
  ctx.beginPath();
  points.forEach((p, i) => {
    const x = 10 + ((p.t - t0) / span) * (width - 20);
    const y = height - 10 - (p.kw / max) * (height - 30);
    i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
  });
  ctx.stroke();
  ctx.fillText(`${num(max / 1.15, 1)} kW max`, 10, 14);
}

async function order1(id, verb) {
  await act(`/api/cps/${encodeURIComponent(id)}/${verb}`);
}

async function act(path) {
  const token = localStorage.getItem("ev-token") ?? "";
  const res = await fetch(path, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) {
    toast("The operator token is missing or wrong");
    $("token-dialog").showModal();
  } else if (!res.ok) toast((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`);
}

function toast(text) {
  const el = document.createElement("div");
  el.className = "toast";
  el.textContent = text;
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "—");

$("stop-all").addEventListener("click", () => act("/api/cps/stop"));
$("resume-all").addEventListener("click", () => act("/api/cps/resume"));
$("token-button").addEventListener("click", () => {
  $("token").value = localStorage.getItem("ev-token") ?? "";
  $("token-dialog").showModal();
});
$("token-save").addEventListener(
  "click",
  () => localStorage.setItem("ev-token", $("token").value.trim()),
);
// a link like http://central:8080/#token=… hands the operator token to this browser
const given = new URLSearchParams(location.hash.slice(1)).get("token");
if (given) {
  localStorage.setItem("ev-token", given);
  history.replaceState(null, "", location.pathname);
}
connect();
