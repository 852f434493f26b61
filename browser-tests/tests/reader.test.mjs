// The reader's features in a real browser (search has search.test.mjs):
// note previews, the chart and its table, the chronology filter, file:// and sub-path use, and
// screenshots at phone and desktop widths for reviewers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { builtSite, launch, screenshots, staticServer } from "./helpers.mjs";

async function withPage(fn, options = {}) {
  const browser = await launch();
  try {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await fn(page);
  } finally {
    await browser.close();
  }
}

test("a note preview opens on keyboard focus and closes with Escape", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(builtSite(), "exercises/joint-sea.html")).href);
    const mark = page.locator("sup.noteref a").first();
    await mark.focus();
    const preview = page.locator("#note-preview");
    await preview.waitFor();
    assert.equal(await preview.getAttribute("role"), "tooltip");
    assert.equal(await mark.getAttribute("aria-describedby"), "note-preview");
    assert.match(await preview.innerText(), /Korolev/);
    await page.keyboard.press("Escape");
    await preview.waitFor({ state: "detached" });
    // Without a preview, the mark still leads to the numbered note.
    assert.equal(await mark.getAttribute("href"), "#note-1");
  });
});

test("the chart and the table agree, and the filter hides and shows rows", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(builtSite(), "chronology/index.html")).href);
    const fromTable = await page.$$eval(".chart-table tbody tr", (rows) =>
      Object.fromEntries(rows.map((r) => [r.cells[0].innerText.trim(), Number(r.cells[r.cells.length - 1].innerText)])));
    const fromChart = await page.$$eval("svg.chart a", (links) =>
      Object.fromEntries(links.map((a) => {
        const [year, rest] = a.getAttribute("aria-label").split(": ");
        return [year, Number(rest.split(" ")[0])];
      })));
    for (const [year, count] of Object.entries(fromChart)) assert.equal(fromTable[year], count, year);
    const withEvents = Object.entries(fromTable).filter(([, n]) => n > 0).map(([y]) => y);
    assert.deepEqual(Object.keys(fromChart).sort(), withEvents.sort());
    // Rows in the listing equal the total in the table.
    const total = Object.values(fromTable).reduce((a, b) => a + b, 0);
    assert.equal(await page.locator(".chronology-table tbody tr").count(), total);

    // Filter: declarations off.
    await page.locator("input[name=kind][value=declaration]").uncheck();
    assert.equal(await page.locator('.chronology-table tbody tr[data-kind="declaration"]:visible').count(), 0);
    assert.ok((await page.locator('.chronology-table tbody tr[data-kind="exercise"]:visible').count()) > 0);
    // Filter: one entry.
    await page.locator("input[name=kind][value=declaration]").check();
    await page.locator("select[name=entry]").selectOption("joint-sea");
    const visible = await page.locator(".chronology-table tbody tr:visible").evaluateAll((rows) => rows.map((r) => r.dataset.entry));
    assert.ok(visible.length >= 5 && visible.every((e) => e === "joint-sea"), visible.join(","));
    assert.match(await page.locator(".filter-status").innerText(), new RegExp(`^${visible.length} events shown`));
    await page.locator("select[name=entry]").selectOption("");
    assert.equal(await page.locator(".chronology-table tbody tr:visible").count(), total);
  });
});

test("the chronology shows every event without JavaScript", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(builtSite(), "chronology/index.html")).href);
    assert.ok(await page.locator(".chronology-filter").isHidden());
    assert.ok((await page.locator(".chronology-table tbody tr").count()) > 50);
  }, { javaScriptEnabled: false });
});

test("the site works from file:// and under a sub-path", async () => {
  const site = builtSite();
  const { server, url } = await staticServer(site, "/some/sub/path/");
  try {
    for (const start of [pathToFileURL(join(site, "index.html")).href, url + "index.html"]) {
      await withPage(async (page) => {
        const failed = [];
        page.on("requestfailed", (r) => failed.push(r.url()));
        page.on("response", (r) => { if (r.status() >= 400) failed.push(r.url()); });
        await page.goto(start);
        await page.locator("nav a", { hasText: "Exercises" }).click();
        await page.locator("table a", { hasText: "Joint Sea" }).click();
        assert.equal(await page.locator("h1").innerText(), "Joint Sea");
        await page.locator(".relations a").first().click();
        await page.locator("nav a", { hasText: "Chronology" }).click();
        assert.equal(await page.locator("h1").innerText(), "Chronology");
        const css = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
        assert.match(css, /Georgia|Palatino|Iowan/);
        assert.deepEqual(failed, [], start);
      });
    }
  } finally {
    server.close();
  }
});

test("screenshots of the home page, an entry and the chronology at phone and desktop widths", async () => {
  mkdirSync(screenshots, { recursive: true });
  const site = builtSite();
  const { server, url } = await staticServer(site, "/handbook/");
  try {
    for (const [name, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
      await withPage(async (page) => {
        for (const [shot, path] of [["home", "index.html"], ["entry", "exercises/joint-sea.html"], ["chronology", "chronology/index.html"]]) {
          await page.goto(url + path);
          const file = join(screenshots, `${shot}-${name}.png`);
          await page.screenshot({ path: file, fullPage: true });
          // Nothing overflows the viewport sideways on a phone.
          if (name === "phone") {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 1, `${path} overflows by ${overflow}px on a phone`);
          }
        }
      }, { viewport: { width, height } });
    }
  } finally {
    server.close();
  }
});
