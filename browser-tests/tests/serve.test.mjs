// Live reload in a real browser: edit an entry's Markdown on disk and the
// open page changes by itself; break it and an overlay shows the problem.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyHandbook, launch, serve } from "./helpers.mjs";

test("an edit on disk changes the open page without any action in the browser", async () => {
  const root = copyHandbook();
  const server = await serve(root);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(server.url + "exercises/joint-sea.html");
    await page.waitForFunction(() => window.__handbookLiveReload && window.__handbookLiveReload.readyState === 1);
    const file = join(root, "content/exercises/joint-sea.md");
    const text = readFileSync(file, "utf8");
    const marker = "Live-reload marker sentence.";
    writeFileSync(file, text.replace(/\n---\n/, `\n---\n${marker}\n\n`));
    await page.waitForFunction((m) => document.body.innerText.includes(m), marker, { timeout: 15000 });

    // A broken edit: the overlay names the file, line and problem; the page stays.
    writeFileSync(file, text.replace(/^date: .*$/m, 'date: "2012-14"'));
    const overlay = page.locator("#handbook-problems");
    await overlay.waitFor({ timeout: 15000 });
    const message = await overlay.innerText();
    assert.match(message, /content\/exercises\/joint-sea\.md:\d+:\d+/);
    assert.match(message, /there is no month 14/);
    assert.ok((await page.locator("h1").innerText()).includes("Joint Sea"));

    // Fixed: the overlay goes away.
    writeFileSync(file, text);
    await overlay.waitFor({ state: "detached", timeout: 15000 });
  } finally {
    await browser.close();
    server.child.kill();
  }
});
