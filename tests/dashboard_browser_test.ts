/**
 * The web dashboard in real headless Chromium: a CP goes available → charging (numbers rising) →
 * faulted (red) → available without a reload, and a stop pressed in the page turns its tile
 * orange "Out of Order". Screenshots are left in tests/artifacts/.
 */
import assert from "node:assert/strict";
import { plugIn, startNetwork } from "./support/network.ts";
import { waitFor } from "./support/programs.ts";
import { ARTIFACTS, findChromium, launchBrowser } from "./support/browser.ts";

const chromiumPath = findChromium();

/** The one DOM function the test calls in the page. */
type Dom = { getComputedStyle(el: unknown): { backgroundColor: string } };

Deno.test({
  name: "dashboard: live tiles over SSE and a stop pressed in the page",
  // .ci/run installs Debian's chromium; elsewhere the test says why it did not run
  ignore: !chromiumPath,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    const browser = await launchBrowser(chromiumPath!);
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
      await page.goto(`http://127.0.0.1:${net.httpPort}/#token=${net.token}`);
      assert.equal(await page.title(), "SD EV CHARGING SOLUTION. MONITORIZATION PANEL");
      await page.evaluate(
        () => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true),
      );
      const tile = page.locator('[data-cp="CP1"]');
      const hasClass = (state: string) =>
        waitFor(
          `tile ${state}`,
          async () => ((await tile.getAttribute("class")) ?? "").includes(state),
          20_000,
        );
      // the colour is read once its transition is over
      const background = (colour: string) =>
        waitFor(
          `tile ${colour}`,
          async () =>
            (await tile.evaluate((el) =>
              (globalThis as unknown as Dom).getComputedStyle(el).backgroundColor
            )) === colour,
          5_000,
        );
      await hasClass("available");
      await background("rgb(31, 157, 85)"); // green
      await page.screenshot({ path: new URL("dashboard-available.png", ARTIFACTS).pathname });

      const driver = await net.driver("D1", ["--cp", "CP1"]);
      await driver.waitForLine(/"type":"authorized"/);
      await plugIn(cp.engine);
      await hasClass("charging");
      const kwh = async () => Number(/([\d.]+) kWh/.exec(await tile.innerText())?.[1] ?? NaN);
      const first = await waitFor("a kWh figure", async () => (await kwh()) > 0 && await kwh());
      await waitFor("kWh rising", async () => (await kwh()) > first);
      assert.match(await tile.innerText(), /D1/);
      await page.screenshot({ path: new URL("dashboard-charging.png", ARTIFACTS).pathname });

      await cp.engine.say("F");
      await hasClass("faulted");
      await background("rgb(214, 57, 57)"); // red
      await page.screenshot({ path: new URL("dashboard-faulted.png", ARTIFACTS).pathname });
      await cp.engine.say("R");
      await hasClass("available");

      await tile.locator('button[data-order="stop"]').click();
      await hasClass("stopped");
      assert.match(await tile.innerText(), /Out of Order/i);
      await background("rgb(240, 140, 0)"); // orange
      assert.equal(await net.state("CP1"), "stopped");
      await page.screenshot({ path: new URL("dashboard-stopped.png", ARTIFACTS).pathname });
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded),
        true,
      );
      await driver.stop();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "driver's page: identify, ask for a charge, watch it live, see the ticket",
  ignore: !chromiumPath,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    await using net = await startNetwork();
    const cp = await net.addCp("CP1");
    await net.waitState("CP1", "available");
    await waitFor(
      "Central on Kafka",
      async () =>
        (await net.json<{ text: string }[]>("GET", "/api/messages")).body.some((m) =>
          /connected to Kafka/.test(m.text)
        ),
    );
    const browser = await launchBrowser(chromiumPath!);
    try {
      const page = await browser.newPage({ viewport: { width: 420, height: 860 } }); // a phone
      await page.goto(`http://127.0.0.1:${net.httpPort}/driver`);
      await page.fill("#driver-id", "D1");
      await page.click("#who button");
      await page.locator("#link.up").waitFor({ timeout: 10_000 });
      await page.click('button[data-charge="CP1"]');
      await page.locator("#supply-state", { hasText: "Authorized at CP1" }).waitFor({
        timeout: 15_000,
      });
      await plugIn(cp.engine);
      await page.locator("#supply-live", { hasText: "kWh" }).waitFor({ timeout: 15_000 });
      await page.screenshot({ path: new URL("driver-charging.png", ARTIFACTS).pathname });
      await cp.engine.say("E");
      await page.locator("#supply-state", { hasText: "Ticket:" }).waitFor({ timeout: 15_000 });
      await page.locator("#tickets tbody tr", { hasText: "ended" }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: new URL("driver-ticket.png", ARTIFACTS).pathname });
      const sessions = (await net.json<unknown[]>("GET", "/api/sessions?driver=D1")).body;
      assert.equal(sessions.length, 1);
    } finally {
      await browser.close();
    }
  },
});
