// The page layout, the timeline and print, in a real browser: no page
// scrolls sideways at phone or desktop widths, the chronology filter
// narrows the timeline and the list together and lives in the address, the
// timeline's marks lead to anchors that exist, the 404 page works under a
// sub-path, and the print of an entry and of the chronology reads as it
// should (A4 PDFs and print-media screenshots, kept for reviewers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { builtSite, launch, screenshots, staticServer } from "./helpers.mjs";

/** One page of each type, and a second entry with a wide table. */
function pageTypes(site) {
  const tag = readdirSync(join(site, "tags")).find((f) => f !== "index.html");
  return [
    "index.html", "mechanisms/index.html", "exercises/joint-sea.html", "mechanisms/military-technical-commission.html",
    "declarations/beijing-declaration-2000.html", "topics/strategic-context.html", "chronology/index.html",
    "chronology/2016.html", "sources.html", "tags/index.html", "tags/" + tag, "404.html", "print.html",
  ];
}

async function withBrowser(fn) {
  const browser = await launch();
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

test("no page scrolls sideways at 320, 390 and 1280 px, and the header is one row from 1024 px", async () => {
  const site = builtSite();
  const { server, url } = await staticServer(site, "/handbook/");
  try {
    await withBrowser(async (browser) => {
      const problems = [];
      for (const width of [320, 390, 1024, 1280]) {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        for (const path of pageTypes(site)) {
          await page.goto(url + path);
          const r = await page.evaluate(() => {
            const over = document.documentElement.scrollWidth - window.innerWidth;
            const header = document.querySelector(".site-header");
            const kids = [...header.children].filter((el) => !el.hidden && el.getBoundingClientRect().height > 0);
            const tops = kids.map((el) => el.getBoundingClientRect());
            // One row: every part of the header overlaps the first part's height.
            const oneRow = tops.every((b) => b.top < tops[0].bottom && b.bottom > tops[0].top);
            return { over, oneRow };
          });
          if (r.over > 0) problems.push(`${path} at ${width}px is ${r.over}px too wide`);
          if (width >= 1024 && !r.oneRow) problems.push(`${path} at ${width}px: the header takes more than one row`);
        }
        await page.close();
      }
      assert.deepEqual(problems, []);
    });
  } finally {
    server.close();
  }
});

test("wide tables scroll inside a named box that the keyboard reaches", async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(pathToFileURL(join(builtSite(), "exercises/joint-sea.html")).href);
    const box = page.locator(".entry-body .table-scroll").first();
    assert.equal(await box.getAttribute("role"), "region");
    assert.match(await box.getAttribute("aria-label"), /^Table \d+$/);
    assert.equal(await box.getAttribute("tabindex"), "0");
    const sizes = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(sizes.scroll > sizes.client, `the table fits (${JSON.stringify(sizes)}): pick a wider one`);
    await box.focus();
    await page.keyboard.press("ArrowRight");
    // Keyboard scrolling is animated: wait for it to move rather than read
    // its position at once (on a loaded machine the first frame comes late).
    const scrolled = await box
      .evaluate((el) => new Promise((done) => {
        const start = performance.now();
        const look = () => (el.scrollLeft > 0 ? done(true) : performance.now() - start > 3000 ? done(false) : requestAnimationFrame(look));
        look();
      }));
    assert.ok(scrolled, "the arrow keys scroll the focused table");
  });
});

test("the chronology filter narrows the timeline and the list together, and survives a reload", async () => {
  const site = builtSite();
  const { server, url } = await staticServer(site, "/handbook/");
  try {
    for (const start of [url + "chronology/index.html", pathToFileURL(join(site, "chronology/index.html")).href]) {
      await withBrowser(async (browser) => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(start);
        const counts = () => page.evaluate(() => ({
          rows: document.querySelectorAll(".chronology-list tr.event-row:not([hidden])").length,
          lanes: [...document.querySelectorAll("svg.timeline g.lane")].filter((g) => g.style.display !== "none").map((g) => g.dataset.entry),
          marks: [...document.querySelectorAll("svg.timeline a.event-mark")].filter((a) => a.style.display !== "none" && a.closest("g").style.display !== "none").length,
          status: document.querySelector(".filter-status").textContent,
          height: document.querySelector("svg.timeline").getAttribute("height"),
        }));
        const all = await counts();
        assert.ok(all.rows > 50 && all.lanes.length > 15, JSON.stringify(all));
        assert.equal(all.marks, all.rows, "a mark for every event");

        // Exercises only, 2012 to 2016.
        for (const kind of ["mechanism", "declaration", "topic"]) await page.locator(`input[name=kind][value=${kind}]`).uncheck();
        await page.locator("select[name=from]").selectOption("2012");
        await page.locator("select[name=to]").selectOption("2016");
        const narrowed = await counts();
        const years = await page.$$eval(".chronology-list tr.event-row:not([hidden])", (rows) => rows.map((r) => [r.dataset.kind, Number(r.parentNode.dataset.year)]));
        assert.ok(years.length > 5 && years.every(([k, y]) => k === "exercise" && y >= 2012 && y <= 2016), JSON.stringify(years));
        assert.ok(narrowed.lanes.length >= 2 && narrowed.lanes.length < all.lanes.length, JSON.stringify(narrowed.lanes));
        const laneKinds = await page.$$eval("svg.timeline g.lane", (gs) => gs.filter((g) => g.style.display !== "none").map((g) => g.dataset.kind));
        assert.ok(laneKinds.every((k) => k === "exercise"), laneKinds.join());
        assert.equal(narrowed.marks, narrowed.rows, "the timeline shows the events the list shows");
        assert.ok(Number(narrowed.height) < Number(all.height), "the timeline closes the gaps");
        assert.match(narrowed.status, new RegExp(`^${narrowed.rows} of ${all.rows} events shown`));
        // The axis now runs over the chosen years.
        const ticks = await page.$$eval("svg.timeline g.axis text", (ts) => ts.map((t) => Number(t.textContent)));
        assert.equal(Math.min(...ticks), 2012);
        assert.ok(Math.max(...ticks) <= 2016, ticks.join());
        assert.match(page.url(), /[?#].*kind=exercise.*from=2012.*to=2016/);
        // The table of counts follows: only exercises, only those years.
        const table = await page.$$eval(".chart-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
        const total = table.reduce((n, r) => n + Number(r[5]), 0);
        assert.equal(total, narrowed.rows);
        assert.ok(table.every((r) => r[1] === "0" && r[3] === "0" && r[4] === "0"), JSON.stringify(table));

        // The address keeps it: a reload (or a shared link) shows the same view.
        await page.reload();
        const again = await counts();
        assert.equal(again.rows, narrowed.rows);
        assert.deepEqual(again.lanes, narrowed.lanes);
        assert.equal(await page.locator("select[name=from]").inputValue(), "2012");
        assert.equal(await page.locator("input[name=kind][value=mechanism]").isChecked(), false);

        // One entry, by its tag.
        await page.locator("button[type=reset]").click();
        await page.waitForFunction((n) => document.querySelectorAll(".chronology-list tr.event-row:not([hidden])").length === n, all.rows);
        await page.locator("select[name=entry]").selectOption("joint-sea");
        const one = await counts();
        assert.deepEqual(one.lanes, ["joint-sea"]);
        assert.equal(one.marks, one.rows);
        await page.locator("select[name=entry]").selectOption("");
        await page.locator("select[name=tag]").selectOption("naval");
        const naval = await page.$$eval(".chronology-list tr.event-row:not([hidden])", (rows) => rows.map((r) => r.dataset.tags));
        assert.ok(naval.length > 0 && naval.every((t) => t.split(" ").includes("naval")), naval.join("|"));
        await page.locator("button[type=reset]").click();
        await page.waitForFunction(() => !/[?#]./.test(location.href.replace(/#$/, "")) || !/kind=|tag=|entry=|from=|to=/.test(location.href));
      });
    }
  } finally {
    server.close();
  }
});

test("every mark of the timelines links to an anchor that exists", async () => {
  const site = builtSite();
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    const targets = new Map();
    for (const path of ["chronology/index.html", "chronology/2016.html", "exercises/index.html", "mechanisms/index.html"]) {
      await page.goto(pathToFileURL(join(site, path)).href);
      const hrefs = await page.$$eval("svg.timeline a", (as) => as.map((a) => new URL(a.getAttribute("href"), location.href).href));
      assert.ok(hrefs.length > 5, path);
      for (const href of hrefs) {
        const [file, anchor] = href.split("#");
        if (!targets.has(file)) targets.set(file, new Set());
        if (anchor) targets.get(file).add(decodeURIComponent(anchor));
      }
    }
    const missing = [];
    for (const [file, anchors] of targets) {
      await page.goto(file);
      for (const a of anchors) if (!(await page.evaluate((id) => !!document.getElementById(id), a))) missing.push(`${file}#${a}`);
    }
    assert.ok(targets.size > 20);
    assert.deepEqual(missing, []);
  });
});

test("the 404 page is styled and its links work under any sub-path and from file://", async () => {
  const site = builtSite();
  const { server, url } = await staticServer(site, "/some/sub/path/");
  try {
    await withBrowser(async (browser) => {
      for (const start of [url + "no-such-page.html", url + "exercises/no-such-entry.html", pathToFileURL(join(site, "404.html")).href]) {
        const page = await browser.newPage();
        const failed = [];
        page.on("response", (r) => { if (r.status() >= 400 && r.url() !== start) failed.push(r.url()); });
        await page.goto(start);
        assert.equal(await page.locator("h1").innerText(), "Page not found");
        // The stylesheet applies (its page width and the shipped face).
        assert.match(await page.evaluate(() => getComputedStyle(document.body).fontFamily), /Source Serif 4/);
        const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.href));
        assert.ok(hrefs.length > 10);
        for (const href of hrefs.filter((h) => !h.includes("#"))) {
          if (href.startsWith("file:")) {
            assert.ok(readFileSync(new URL(href)), href);
          } else {
            const res = await page.request.get(href);
            assert.equal(res.status(), 200, `${start}: ${href}`);
          }
        }
        assert.deepEqual(failed, [], start);
        await page.close();
      }
    });
  } finally {
    server.close();
  }
});

test("print: pt sizes, notes smaller than text, the key kept, link targets shown; A4 PDFs and print screenshots", async () => {
  mkdirSync(screenshots, { recursive: true });
  const site = builtSite();
  await withBrowser(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    await page.emulateMedia({ media: "print" });
    await page.goto(pathToFileURL(join(site, "exercises/joint-sea.html")).href);
    const entry = await page.evaluate(() => {
      const size = (sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
      const external = document.querySelector(".entry-body a[href^='http'], .notes a[href^='http']");
      return {
        body: size(".entry-body p"),
        note: size(".notes li"),
        event: size(".event-place"),
        backref: getComputedStyle(document.querySelector(".backref")).display,
        toc: getComputedStyle(document.querySelector(".toc")).display,
        after: external ? getComputedStyle(external, "::after").content : "none",
      };
    });
    // 10.5pt is 14px; the notes print smaller than the text.
    assert.ok(Math.abs(entry.body - 14) < 0.1, JSON.stringify(entry));
    assert.ok(entry.note < entry.body && entry.event < entry.body, JSON.stringify(entry));
    assert.equal(entry.backref, "none");
    assert.equal(entry.toc, "none");
    assert.match(entry.after, /attr\(href\)|http/);
    await page.screenshot({ path: join(screenshots, "print-entry.png"), fullPage: true });
    const entryPdf = await page.pdf({ path: join(screenshots, "print-entry.pdf"), format: "A4" });

    await page.goto(pathToFileURL(join(site, "chronology/index.html")).href);
    const chrono = await page.evaluate(() => ({
      key: getComputedStyle(document.querySelector(".timeline-key")).display,
      keyColour: getComputedStyle(document.querySelector(".key-symbol .mark.exercise")).fill,
      svgWidth: document.querySelector("svg.timeline").getBoundingClientRect().width,
      main: document.querySelector("main").getBoundingClientRect().width,
      filter: getComputedStyle(document.querySelector(".chronology-filter")).display,
    }));
    assert.notEqual(chrono.key, "none");
    assert.notEqual(chrono.keyColour, "none");
    assert.ok(chrono.svgWidth <= chrono.main + 1, "the timeline fits the page");
    assert.equal(chrono.filter, "none");
    await page.screenshot({ path: join(screenshots, "print-chronology.png"), fullPage: true });
    const chronoPdf = await page.pdf({ path: join(screenshots, "print-chronology.pdf"), format: "A4" });

    await page.goto(pathToFileURL(join(site, "print.html")).href);
    const book = await page.evaluate(() => ({
      titlePage: getComputedStyle(document.querySelector(".print-title-page")).breakAfter,
      contents: document.querySelectorAll(".print-contents a").length,
      articles: document.querySelectorAll(".print-all > article").length,
      bibliographies: document.querySelectorAll("section.bibliography").length,
      arrows: [...document.querySelectorAll(".backref")].filter((b) => b.offsetParent !== null).length,
    }));
    assert.equal(book.titlePage, "page");
    assert.equal(book.contents, book.articles + 1);
    assert.equal(book.bibliographies, 1);
    assert.equal(book.arrows, 0);
    const bookPdf = await page.pdf({ path: join(screenshots, "print-handbook.pdf"), format: "A4" });
    for (const [name, pdf, most] of [["entry", entryPdf, 15], ["chronology", chronoPdf, 40], ["handbook", bookPdf, 200]]) {
      const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
      assert.ok(pages >= 1 && pages <= most, `${name}: ${pages} A4 pages`);
      assert.match(pdf.toString("latin1", 0, 8), /^%PDF-/);
    }
  });
});

test("screenshots of the chronology and an entry at phone and desktop widths, light and dark", async () => {
  mkdirSync(screenshots, { recursive: true });
  const site = builtSite();
  const { server, url } = await staticServer(site, "/handbook/");
  try {
    await withBrowser(async (browser) => {
      for (const scheme of ["light", "dark"]) {
        for (const [name, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]]) {
          const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
          const page = await context.newPage();
          for (const [shot, path] of [["entry", "exercises/joint-sea.html"], ["chronology", "chronology/index.html"]]) {
            await page.goto(url + path);
            await page.evaluate(() => document.fonts.ready);
            await page.screenshot({ path: join(screenshots, `${shot}-${name}-${scheme}.png`), fullPage: false });
          }
          await context.close();
        }
      }
      // The timeline alone, at its natural size.
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(url + "chronology/index.html");
      await page.locator("#timeline").screenshot({ path: join(screenshots, "timeline-desktop-light.png") });
    });
  } finally {
    server.close();
  }
});
