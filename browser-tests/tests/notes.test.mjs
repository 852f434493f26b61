// Notes and Connections as readers see them: the neighbourhood picture's
// boxes lead to the entries listed below it, note marks side by side are set
// apart, and screenshots of an entry's notes and Connections at desktop and
// phone widths, light and dark, for reviewers
// (browser-tests/screenshots/notes-*.png and connections-*.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { builtSite, launch, screenshots } from "./helpers.mjs";

const entry = "mechanisms/defence-ministers-meetings.html";

test("the neighbourhood picture links to the entries its list names", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(builtSite(), entry)).href);
    const fromPicture = await page.$$eval("svg.neighbourhood a", (as) => as.map((a) => a.getAttribute("href")).sort());
    const fromList = await page.$$eval(".relation-list dd a", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(fromPicture.length > 3, `${fromPicture.length} boxes`);
    for (const href of fromPicture) assert.ok(fromList.includes(href), `${href} is in the list too`);
    // Hidden from assistive technology, out of the tab order: the list says the same.
    assert.equal(await page.getAttribute("svg.neighbourhood", "aria-hidden"), "true");
    assert.ok(await page.$$eval("svg.neighbourhood a", (as) => as.every((a) => a.getAttribute("tabindex") === "-1")));
    // Each relation heading once.
    const headings = await page.$$eval(".relation-list dt", (dts) => dts.map((d) => d.textContent));
    assert.equal(new Set(headings).size, headings.length, headings.join(", "));
    // On a phone the picture gives way to the list.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await page.$eval(".neighbourhood-figure", (f) => getComputedStyle(f).display), "none");
  } finally {
    await browser.close();
  }
});

test("marks side by side are set apart by a comma", async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(builtSite(), "exercises/joint-sea.html")).href);
    const pairs = await page.$$eval("sup.noteref-sep", (seps) =>
      seps.map((s) => [s.previousElementSibling?.className, s.nextElementSibling?.className, s.textContent]));
    for (const [before, after, text] of pairs) {
      assert.equal(before, "noteref");
      assert.equal(after, "noteref");
      assert.equal(text, ",");
    }
  } finally {
    await browser.close();
  }
});

test("screenshots of an entry's notes and Connections at desktop and phone widths, light and dark", async () => {
  mkdirSync(screenshots, { recursive: true });
  const browser = await launch();
  try {
    for (const [name, width, height] of [["desktop", 1280, 900], ["phone", 390, 844]]) {
      for (const scheme of ["light", "dark"]) {
        const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
        await page.goto(pathToFileURL(join(builtSite(), entry)).href);
        for (const [what, selector] of [["connections", "section.relations"], ["notes", "section.notes"]]) {
          const section = await page.$(selector);
          assert.ok(section, `${selector} on ${entry}`);
          await section.screenshot({ path: join(screenshots, `${what}-${name}-${scheme}.png`) });
        }
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
});
