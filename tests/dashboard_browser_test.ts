/**
 * The web dashboard in real headless Chromium: a CP goes available → charging (numbers rising) →
 * faulted (red) → available without a reload, and a stop pressed in the page turns its tile
 * orange "Out of Order". Screenshots are left in tests/artifacts/.
 */
import assert from "node:assert/strict";
import { plugIn, startNetwork, type TestCp, type TestNetwork } from "./support/network.ts";
import type { Browser } from "playwright-core";
import { waitFor } from "./support/programs.ts";
import { ARTIFACTS, findChromium, launchBrowser } from "./support/browser.ts";

const chromiumPath = findChromium();

/** The one DOM function the test calls in the page. */
type Dom = { getComputedStyle(el: unknown): { backgroundColor: string } };

/**
 * A test with a network (Central and CP1, available) and a headless Chromium, closed after it.
 * Ignored where no system Chromium is installed (.ci/run installs Debian's).
 */
function browserTest(
  name: string,
  fn: (net: TestNetwork, cp: TestCp, browser: Browser) => Promise<void>,
): void {
  Deno.test({
    name,
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
        await fn(net, cp, browser);
      } finally {
        await browser.close();
      }
    },
  });
}

browserTest(
  "dashboard: live tiles over SSE and a stop pressed in the page",
  async (net, cp, browser) => {
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
  },
);

browserTest(
  "driver's page: identify, ask for a charge, watch it live, see the ticket",
  async (net, cp, browser) => {
    await waitFor(
      "Central on Kafka",
      async () =>
        (await net.json<{ text: string }[]>("GET", "/api/messages")).body.some((m) =>
          /connected to Kafka/.test(m.text)
        ),
    );
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
  },
);
