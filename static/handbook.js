// handbook: small progressive enhancements. Every page works without them.
(function () {
  "use strict";

  // Sortable tables: the header cells of a table.sortable become buttons.
  function sortKey(cell) {
    var v = cell.getAttribute("data-sort");
    return v !== null ? v : cell.textContent.trim().toLowerCase();
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) return x - y;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(sortKey(r1.cells[col]), sortKey(r2.cells[col]));
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  // Chronology filter: by kind and by entry, without reloading.
  var form = document.querySelector("form.chronology-filter");
  if (form) {
    form.hidden = false;
    var status = form.querySelector("[role=status]");
    var apply = function () {
      var kinds = {};
      form.querySelectorAll("input[name=kind]").forEach(function (box) { kinds[box.value] = box.checked; });
      var entry = form.querySelector("select[name=entry]").value;
      var shown = 0;
      document.querySelectorAll(".chronology-table tbody tr").forEach(function (row) {
        var visible = kinds[row.getAttribute("data-kind")] && (!entry || row.getAttribute("data-entry") === entry);
        row.hidden = !visible;
        if (visible) shown++;
      });
      document.querySelectorAll("section.year").forEach(function (section) {
        section.hidden = !section.querySelector("tbody tr:not([hidden])");
      });
      status.textContent = shown + " events shown";
    };
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }
})();

// Note previews: hovering or focusing a note mark shows the note in place;
// Escape or leaving closes it. Without JavaScript the marks link to the notes.
(function () {
  "use strict";
  var preview = null, owner = null, hideTimer = null;
  function close() {
    if (preview) { preview.remove(); preview = null; }
    if (owner) { owner.removeAttribute("aria-describedby"); owner = null; }
  }
  function open(link) {
    var note = document.getElementById(link.getAttribute("href").slice(1));
    if (!note) return;
    close();
    owner = link;
    preview = document.createElement("div");
    preview.className = "note-preview";
    preview.id = "note-preview";
    preview.setAttribute("role", "tooltip");
    var body = note.cloneNode(true);
    body.removeAttribute("id");
    body.querySelectorAll(".backref").forEach(function (b) { b.remove(); });
    body.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    var number = document.createElement("strong");
    number.textContent = link.textContent + ". ";
    preview.appendChild(number);
    preview.appendChild(document.createRange().createContextualFragment(body.innerHTML));
    document.body.appendChild(preview);
    link.setAttribute("aria-describedby", "note-preview");
    var r = link.getBoundingClientRect();
    var top = window.scrollY + r.bottom + 6;
    var left = Math.max(8, Math.min(window.scrollX + r.left - 16, window.scrollX + document.documentElement.clientWidth - preview.offsetWidth - 8));
    preview.style.top = top + "px";
    preview.style.left = left + "px";
    preview.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    preview.addEventListener("mouseleave", function () { hideTimer = setTimeout(close, 200); });
  }
  document.querySelectorAll("sup.noteref a").forEach(function (link) {
    link.addEventListener("mouseenter", function () { clearTimeout(hideTimer); open(link); });
    link.addEventListener("mouseleave", function () { hideTimer = setTimeout(close, 300); });
    link.addEventListener("focus", function () { open(link); });
    link.addEventListener("blur", function () { hideTimer = setTimeout(close, 100); });
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
})();

// Search: loads the index the first time the search box is used, then shows
// results as you type, with the matching words highlighted.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form) return;
  form.hidden = false;
  var root = form.getAttribute("data-root") || "";
  var input = form.querySelector("input[type=search]");
  var results = form.querySelector(".search-results");
  var status = form.querySelector(".search-status");
  var index = null, loading = false, pending = null;

  function load(then) {
    if (index) return then();
    pending = then;
    if (loading) return;
    loading = true;
    var scripts = ["elasticlunr.min.js", "search-index.js"], done = 0;
    scripts.forEach(function (name) {
      var s = document.createElement("script");
      s.src = root + name;
      s.onload = function () {
        if (++done < scripts.length) return;
        index = elasticlunr.Index.load(window.handbookSearch.index);
        if (pending) pending();
      };
      document.head.appendChild(s);
    });
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  function highlight(text, words) {
    var html = escapeHtml(text);
    words.forEach(function (w) {
      if (w.length < 2) return;
      var re = new RegExp("(" + w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "gi");
      html = html.replace(re, "<mark>$1</mark>");
    });
    return html;
  }
  function excerpt(doc, words) {
    var fields = [doc.summary, doc.aliases.join(", "), doc.body, doc.events];
    for (var f = 0; f < fields.length; f++) {
      var text = fields[f] || "", lower = text.toLowerCase();
      for (var i = 0; i < words.length; i++) {
        var at = lower.indexOf(words[i]);
        if (at >= 0) {
          var start = Math.max(0, at - 60);
          return (start > 0 ? "…" : "") + text.slice(start, at + 140) + (at + 140 < text.length ? "…" : "");
        }
      }
    }
    return doc.summary;
  }
  function run() {
    var q = input.value.trim();
    results.innerHTML = "";
    if (!q) { status.textContent = ""; results.hidden = true; return; }
    var hits = index.search(q, { fields: { title: { boost: 3 }, aliases: { boost: 3 }, summary: { boost: 2 }, events: { boost: 1 }, body: { boost: 1 } }, bool: "AND", expand: true });
    var words = q.toLowerCase().split(/\s+/);
    hits.slice(0, 12).forEach(function (hit) {
      var doc = window.handbookSearch.docs[hit.ref];
      var li = document.createElement("li");
      li.innerHTML = '<a href="' + root + doc.url + '">' + highlight(doc.title, words) + '</a> <span class="kind-badge kind-' + doc.kind + '">' + doc.kind + "</span>" +
        '<p class="search-excerpt">' + highlight(excerpt(doc, words), words) + "</p>";
      results.appendChild(li);
    });
    results.hidden = hits.length === 0;
    status.textContent = hits.length === 0 ? "No results" : hits.length + " result" + (hits.length === 1 ? "" : "s");
  }
  input.addEventListener("focus", function () { load(function () {}); });
  input.addEventListener("input", function () { load(run); });
  form.addEventListener("submit", function (e) { e.preventDefault(); load(run); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; run(); }
  });
})();
