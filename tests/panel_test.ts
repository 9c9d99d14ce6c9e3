/**
 * Central's terminal panel in a real terminal (tmux): one panel with the tiles, the requests and
 * the messages; a command typed while updates arrive is never overwritten, and it is carried out.
 */
import assert from "node:assert/strict";
import { startNetwork } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { hasTmux, Terminal } from "./support/tmux.ts";

Deno.test({
  name: "Central's panel: tiles, sections, and a command typed during updates",
  ignore: !hasTmux(),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using net = await startNetwork();
    const cp = await net.addCp("CP1", undefined, ["--auto-plug", "0.5"]);
    await net.waitState("CP1", "available");
    // the same Central, now in a terminal
    await net.central.stop();
    const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
    const argv = [Deno.execPath(), ...config.tasks.central.slice("deno ".length).split(" ")];
    await using term = new Terminal();
    await term.open(
      argv,
      { ...net.env, NO_COLOR: "" },
      110,
      40,
      new URL("..", import.meta.url).pathname,
    );
    await waitFor(
      "the panel",
      async () => (await term.screen()).includes("MONITORIZATION PANEL"),
      60_000,
    );
    await net.waitState("CP1", "available");
    const driver = await net.driver("D1", ["--cp", "CP1"]);
    await net.waitState("CP1", "charging");

    const screen = await waitFor("CP1 charging on the panel", async () => {
      const s = await term.screen();
      return /D1 +[\d.]+ kW/.test(s) && s;
    });
    assert.equal(
      screen.split("SD EV CHARGING SOLUTION. MONITORIZATION PANEL").length,
      2,
      "one panel",
    );
    assert.match(screen, /CP1 +0\.35€\/kWh/);
    assert.match(screen, /Lab-CP1/);
    assert.match(screen, /ON-GOING DRIVERS REQUESTS\n.*D1 +CP1 +charging/);
    assert.match(screen, /APPLICATION MESSAGES/);

    // typed slowly, across several redraws (telemetry arrives every second)
    for (const chunk of ["ST", "OP", " C", "P1"]) {
      await term.type(chunk);
      await new Promise((r) => setTimeout(r, 700));
    }
    const before = await term.screen();
    assert.match(before, /EV_Central > STOP CP1\s*$/, "the typed command is on its line");
    await term.enter();
    await net.waitState("CP1", "stopped", 10_000);
    await waitFor(
      "the tile Out of Order",
      async () => (await term.screen()).includes("Out of Order"),
    );
    assert.equal((await driver.done).code, 0, "the supply ended with its ticket");
    await cp.engine.stop();
  },
});
