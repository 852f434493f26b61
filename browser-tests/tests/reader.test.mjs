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

test("the timeline, the table of counts and the list agree", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(builtSite(), "chronology/index.html")).href);
    const fromTable = await page.$$eval(".chart-table tbody tr", (rows) =>
      Object.fromEntries(rows.map((r) => [r.cells[0].textContent.trim(), Number(r.cells[r.cells.length - 1].textContent)])));
    const fromList = await page.$$eval(".chronology-list tbody.year", (bodies) =>
      Object.fromEntries(bodies.map((b) => [b.dataset.year, b.querySelectorAll("tr.event-row").length])));
    const withEvents = Object.entries(fromTable).filter(([, n]) => n > 0);
    assert.deepEqual(Object.fromEntries(withEvents), fromList);
    // Every event is a mark in the timeline, linking to the list's anchor for it.
    const listed = await page.$$eval(".chronology-list tr.event-row td:nth-child(2) > a", (as) => as.map((a) => a.getAttribute("href")).sort());
    const marks = await page.$$eval("svg.timeline a.event-mark", (as) => as.map((a) => a.getAttribute("href")).sort());
    assert.deepEqual(marks, listed);
    // A lane per entry with events, grouped by kind in order.
    const kinds = await page.$$eval("svg.timeline g.lane", (gs) => gs.map((g) => g.dataset.kind));
    const order = ["mechanism", "exercise", "declaration", "topic"];
    assert.deepEqual(kinds, [...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    assert.equal(new Set(await page.$$eval("svg.timeline g.lane", (gs) => gs.map((g) => g.dataset.entry))).size, kinds.length);
  });
});

test("the chronology shows every event without JavaScript", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(builtSite(), "chronology/index.html")).href);
    assert.ok(await page.locator(".chronology-filter").isHidden());
    assert.ok((await page.locator(".chronology-list tr.event-row").count()) > 50);
    // The timeline is drawn at build time: there without the script.
    assert.ok((await page.locator("svg.timeline a.event-mark").count()) > 50);
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
        assert.match(css, /^"Source Serif 4"/);
        // The shipped face is what the text is set in, not a fallback.
        const loaded = await page.evaluate(async () => {
          await document.fonts.ready;
          return [...document.fonts].filter((f) => f.family.includes("Source Serif 4") && f.status === "loaded").length;
        });
        assert.ok(loaded >= 1, start);
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
