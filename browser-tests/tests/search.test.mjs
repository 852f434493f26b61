// Search in a real browser: names in Russian and Chinese, diacritics,
// results that open the matching event, highlighting that never touches
// markup, the keyboard, "No results", the search page, file:// and a
// sub-path; that the browser analyses words as the index builder does; and,
// on the 10,000-entry corpus, the bytes a page load and a first query fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { gzipSync } from "node:zlib";
import { bin, builtSite, launch, repo, staticServer, tempDir } from "./helpers.mjs";

async function withPage(fn, options = {}) {
  const browser = await launch();
  try {
    const page = await (await browser.newContext(options)).newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await fn(page);
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await browser.close();
  }
}

/** The fixture site tests/sites/basic, built once. */
let fixture = null;
function fixtureSite() {
  if (!fixture) {
    const root = tempDir("handbook-search-");
    cpSync(join(repo, "tests/sites/basic/content"), join(root, "content"), { recursive: true });
    execFileSync(bin, ["build", "--root", root], { stdio: "pipe" });
    fixture = join(root, "public");
  }
  return fixture;
}

/** Types `q` into the header's search box and waits for its status. */
async function search(page, q) {
  await page.locator("#search-input").fill(q);
  const status = page.locator("#search-status");
  // The status names the query its results are for.
  await page.waitForFunction((q) => document.querySelector("#search-status").getAttribute("data-query") === q, q);
  return status;
}
const titles = (page) => page.locator(".site-search .search-results .search-title").allInnerTexts();

test("Russian names are found in any of their forms, and Chinese by any run of characters", async () => {
  const { server, url } = await staticServer(builtSite(), "/handbook/");
  try {
    await withPage(async (page) => {
      await page.goto(url + "index.html");
      for (const q of ["Морское", "морского", "МОРСКОМУ взаимодействию", "海上", "联合", "海上联合", "Joint Морское"]) {
        await search(page, q);
        assert.ok((await titles(page)).includes("Joint Sea"), `${q}: ${(await titles(page)).join(" | ")}`);
      }
      // The form typed is highlighted where the other form is written.
      await search(page, "морского");
      assert.deepEqual(await page.locator(".search-results mark").allInnerTexts(), ["Морское"]);
      await search(page, "海上");
      assert.deepEqual(await page.locator(".search-results mark").allInnerTexts(), ["海上"]);
    });
  } finally {
    server.close();
  }
});

test("Müller and Muller find the same entry in the fixture", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(fixtureSite(), "index.html")).href);
    const found = [];
    for (const q of ["Müller", "Muller", "MULLER", "mu\u0308ller"]) {
      await search(page, q);
      found.push((await titles(page)).join(" | "));
      assert.deepEqual(await page.locator(".search-results mark").allInnerTexts(), ["Müller"], q);
    }
    assert.equal(found[0], "Drill Series");
    assert.deepEqual(new Set(found).size, 1, found.join(" / "));
  });
});

test("a word found only in an event opens the event's anchor", async () => {
  const { server, url } = await staticServer(builtSite(), "/handbook/");
  try {
    await withPage(async (page) => {
      await page.goto(url + "chronology/index.html");
      // "Tributs" is only in a claim about Joint Sea 2012.
      await search(page, "Tributs");
      const link = page.locator(".search-results .search-title").first();
      assert.equal(await link.innerText(), "Joint Sea");
      assert.match(await link.getAttribute("href"), /^\.\.\/exercises\/joint-sea\.html#2012$/);
      assert.match(await page.locator(".search-results .search-where").first().innerText(), /Event/);
      await link.click();
      await page.waitForURL(/joint-sea\.html#2012$/);
      assert.ok(await page.locator("[id='2012']").isVisible());
      // A word in the title still opens the top of the entry.
      await search(page, "Joint Sea");
      assert.match(await page.locator(".search-results .search-title").first().getAttribute("href"), /joint-sea\.html$/);
    });
  } finally {
    server.close();
  }
});

test("no results is visible, and highlighting marks words, never markup", async () => {
  await withPage(async (page) => {
    await page.goto(pathToFileURL(join(fixtureSite(), "mechanisms/alpha.html")).href);
    const status = await search(page, "qwxzv");
    assert.ok(await status.isVisible(), "the status is shown");
    assert.equal(await status.innerText(), "No results for “qwxzv”");
    const box = await status.boundingBox();
    assert.ok(box.width > 50 && box.height > 8, JSON.stringify(box));
    assert.equal(await page.locator(".site-search .search-results li").count(), 0);

    // The passage: "Lt Gen Hans Müller observed it for the AMP & Signal
    // group; Mark Ma scored the crews out of < 10."
    for (const [q, marks] of [["lt", ["Lt"]], ["amp", ["AMP"]], ["ma mark", ["Mark", "Ma"]], ["&lt;", ["Lt"]]]) {
      await search(page, q);
      const excerpt = page.locator(".site-search .search-excerpt").first();
      assert.deepEqual(await excerpt.locator("mark").allInnerTexts(), marks, q);
      const text = await excerpt.innerText();
      assert.ok(text.includes("AMP & Signal group; Mark Ma scored the crews out of < 10."), `${q}: ${text}`);
      assert.ok(!/&(amp|lt|gt);/.test(text), `${q}: an entity shows: ${text}`);
      // Only marks and the passage's label are elements; no text became markup.
      const tags = await excerpt.evaluate((p) => [...p.querySelectorAll("*")].map((e) => e.tagName + "." + e.className));
      assert.ok(tags.every((t) => t === "MARK." || t === "SPAN.search-where"), tags.join(","));
    }
    // A title with markup in it shows as text, highlighted by its words.
    await search(page, "script declaration");
    const title = page.locator(".search-results .search-title").first();
    assert.equal(await title.innerText(), "Joint <script>alert(1)</script> Declaration");
    assert.deepEqual(await title.locator("mark").allInnerTexts(), ["script", "script", "Declaration"]);
  });
});

test("the keyboard moves through results, Enter opens one, Escape clears", async () => {
  const { server, url } = await staticServer(builtSite(), "/handbook/");
  try {
    await withPage(async (page) => {
      await page.goto(url + "index.html");
      await page.locator("#search-input").focus();
      await search(page, "joint exercise");
      const links = page.locator(".site-search .search-results a");
      assert.ok((await links.count()) >= 3);
      const focused = () => page.evaluate(() => document.activeElement.getAttribute("href") || document.activeElement.id);
      await page.keyboard.press("ArrowDown");
      assert.equal(await focused(), await links.nth(0).getAttribute("href"));
      await page.keyboard.press("ArrowDown");
      assert.equal(await focused(), await links.nth(1).getAttribute("href"));
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("ArrowUp");
      assert.equal(await focused(), "search-input");
      // Escape clears the box and closes the results.
      await page.keyboard.press("Escape");
      assert.equal(await page.locator("#search-input").inputValue(), "");
      assert.ok(await page.locator(".search-panel").isHidden());
      // Enter on a result opens it.
      await search(page, "Maritime Interaction");
      await page.keyboard.press("ArrowDown");
      const href = await links.nth(0).getAttribute("href");
      await page.keyboard.press("Enter");
      await page.waitForURL((u) => u.href.endsWith(href.replace(/^\.\//, "")));
      assert.equal(await page.locator("h1").innerText(), "Joint Sea");
      // Enter in the box opens the search page for the query.
      await search(page, "naval");
      await page.locator("#search-input").press("Enter");
      await page.waitForURL(/search\.html\?q=naval$/);
      await page.locator(".search-page-results li").first().waitFor();
    });
  } finally {
    server.close();
  }
});

test("search.html?q= shows results at a stable address, from file:// and under a sub-path", async () => {
  const site = builtSite();
  const { server, url } = await staticServer(site, "/some/sub/path/");
  try {
    for (const start of [pathToFileURL(join(site, "search.html")).href, url + "search.html"]) {
      await withPage(async (page) => {
        const failed = [];
        page.on("requestfailed", (r) => failed.push(r.url()));
        page.on("response", (r) => { if (r.status() >= 400) failed.push(r.url()); });
        await page.goto(start + "?q=" + encodeURIComponent("морское взаимодействие"));
        await page.locator(".search-page-results li").first().waitFor();
        assert.equal(await page.locator("#search-page-input").inputValue(), "морское взаимодействие");
        assert.equal(await page.locator(".search-page-results .search-title").first().innerText(), "Joint Sea");
        assert.match(await page.locator("#search-page-status").innerText(), /^1 result for/);
        // More than a page of results: the rest on request.
        await page.goto(start + "?q=china");
        await page.locator(".search-page-results li").first().waitFor();
        const total = Number((await page.locator("#search-page-status").innerText()).match(/^(\d+) results/)[1]);
        assert.ok(total > 20, `${total} results`);
        assert.equal(await page.locator(".search-page-results li").count(), 20);
        await page.locator(".search-more").click();
        await page.waitForFunction((n) => document.querySelectorAll(".search-page-results li").length === n, total);
        assert.ok(await page.locator(".search-more").isHidden());
        // A result links into the site.
        await page.locator(".search-page-results .search-title").first().click();
        await page.locator("h1").waitFor();
        assert.deepEqual(failed, [], start);
      });
    }
  } finally {
    server.close();
  }
});

test("a page load fetches no index; the first use of the box fetches the manifest only", async () => {
  const { server, url } = await staticServer(builtSite(), "/handbook/");
  try {
    await withPage(async (page) => {
      const requested = [];
      page.on("request", (r) => requested.push(r.url().slice(url.length)));
      await page.goto(url + "exercises/joint-sea.html", { waitUntil: "networkidle" });
      assert.deepEqual(requested.filter((r) => r.startsWith("search")), []);
      await page.locator("#search-input").focus();
      await page.waitForFunction(() => window.handbookSearch && document.querySelector("script[src$='search/index.js']"));
      await page.waitForTimeout(100);
      assert.deepEqual(requested.filter((r) => r.startsWith("search")), ["search/index.js"]);
    });
  } finally {
    server.close();
  }
});

test("open results and the search page pass axe-core, in light and dark mode", async () => {
  const { createRequire } = await import("node:module");
  const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  const { server, url } = await staticServer(builtSite(), "/handbook/");
  try {
    for (const colorScheme of ["light", "dark"]) {
      await withPage(async (page) => {
        const problems = [];
        const check = async (what) => {
          await page.addScriptTag({ path: axePath });
          const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
          for (const v of result.violations) problems.push(`${what}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        };
        await page.goto(url + "exercises/joint-sea.html");
        await search(page, "морского");
        await check("results of морского");
        await search(page, "qwxzv");
        await check("no results");
        await page.goto(url + "search.html?q=" + encodeURIComponent("海上 Joint"));
        await page.locator(".search-page-results li").first().waitFor();
        await check("search page");
        assert.deepEqual(problems, [], colorScheme);
      }, { colorScheme });
    }
  } finally {
    server.close();
  }
});

// The analysis in static/handbook.js, run in Node.
function browserAnalysis() {
  const src = readFileSync(join(repo, "static/handbook.js"), "utf8");
  const start = src.indexOf("var handbookSearchText");
  const end = src.indexOf("\n})();", start) + "\n})();".length;
  const context = {};
  vm.runInNewContext(src.slice(start, end) + "\nthis.T = handbookSearchText;", context);
  return context.T;
}

test("the browser analyses words as the index builder does (tests/search/terms.tsv)", () => {
  const T = browserAnalysis();
  const pinned = readFileSync(join(repo, "tests/search/terms.tsv"), "utf8").trim().split("\n").map((l) => l.split("\t"));
  const differ = pinned.filter(([word, term]) => (T.wordTerm(word, true) ?? "") !== term);
  assert.deepEqual(differ.slice(0, 20).map(([w, t]) => `${w}: ${t} ≠ ${T.wordTerm(w, true)}`), []);
  // The same words, from the same files.
  const words = new Set();
  const add = (text) => T.tokens(text).forEach((t) => { if (!t.cjk) words.add(t.text); });
  const walk = (dir) => readdirSync(dir).sort().forEach((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path); else add(readFileSync(path, "utf8"));
  });
  walk(join(repo, "content"));
  add(readFileSync(join(repo, "tests/search/words-ru.txt"), "utf8").split("\n").filter((l) => !l.startsWith("#")).join("\n"));
  assert.deepEqual([...words].sort(), pinned.map(([w]) => w).sort());
  assert.ok(pinned.length > 3000);
});

// The 10,000-entry corpus of tools/gen-corpus (SEARCH_CORPUS_ENTRIES for
// another size), built by target/debug/handbook.
function corpusSite(entries) {
  const dir = join(tmpdir(), `handbook-search-corpus-${entries}`);
  const out = join(dir, "public");
  const built = join(out, "search/index.js");
  // Built again whenever the handbook binary is newer than the build.
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(bin).mtimeMs) {
    const gen = ["release", "debug"].map((p) => join(repo, "target", p, "gen-corpus")).find(existsSync);
    if (existsSync(join(dir, String(entries), "handbook"))) { /* generated before: the same for the same size */ }
    else if (gen) execFileSync(gen, ["--entries", String(entries), "--out", dir], { stdio: "pipe" });
    else execFileSync("cargo", ["run", "--quiet", "-p", "gen-corpus", "--", "--entries", String(entries), "--out", dir], { cwd: repo, stdio: "pipe" });
    execFileSync(bin, ["build", "--root", join(dir, String(entries), "handbook"), "--out", out], { stdio: "pipe", maxBuffer: 1 << 26 });
  }
  return out;
}

test("at 10,000 entries a page load fetches no index and a first query at most 500 KB", { timeout: 15 * 60 * 1000 }, async () => {
  const entries = Number(process.env.SEARCH_CORPUS_ENTRIES || 10000);
  const site = corpusSite(entries);
  const { server, url } = await staticServer(site, "/handbook/");
  const LIMIT = 500 * 1024;
  const rows = [];
  const entryPage = "exercises/" + readdirSync(join(site, "exercises")).filter((f) => f !== "index.html").sort()[0];
  try {
    // Each query in a fresh page, as the first thing the reader searches;
    // typed a key at a time with a reader's pauses, or pasted whole.
    const queries = [["exercise", "typed"], ["Морское", "typed"], ["海上", "pasted"], ["Peace Mission 2005", "typed"],
      ["joint naval exercise", "pasted"], ["морского взаимодействия", "pasted"]];
    for (const [q, how] of queries) {
      await withPage(async (page) => {
        const responses = [];
        page.on("response", async (r) => {
          try { responses.push({ url: r.url().slice(url.length), body: await r.body() }); } catch { /* redirects */ }
        });
        await page.goto(url + entryPage, { waitUntil: "networkidle" });
        const load = responses.splice(0);
        assert.deepEqual(load.filter((r) => r.url.startsWith("search")).map((r) => r.url), [], "the page load fetches no index");
        if (rows.length === 0) rows.push([`page load (${entryPage}, with its CSS and script)`, load]);
        const input = page.locator("#search-input");
        if (how === "typed") await input.pressSequentially(q, { delay: 90 }); else await input.fill(q);
        await page.waitForFunction((q) => document.querySelector("#search-status").getAttribute("data-query") === q, q,
          { timeout: 60000 });
        await page.waitForLoadState("networkidle");
        assert.ok((await titles(page)).length > 0, `${q} finds something`);
        rows.push([`first query "${q}" (${how})`, responses.splice(0)]);
      }, { viewport: { width: 1280, height: 900 } });
    }
  } finally {
    server.close();
  }
  console.log(`\n${entries} entries: bytes transferred (uncompressed, and gzip-compressed as a server would send them)`);
  for (const [what, responses] of rows) {
    const raw = responses.reduce((n, r) => n + r.body.length, 0);
    const gz = responses.reduce((n, r) => n + gzipSync(r.body).length, 0);
    console.log(`| ${what} | ${responses.length} | ${(raw / 1024).toFixed(1)} KiB | ${(gz / 1024).toFixed(1)} KiB |`);
    if (what.startsWith("first query")) assert.ok(raw <= LIMIT, `${what}: ${raw} bytes`);
  }
});
