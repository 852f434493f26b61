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

  // Chronology filter: by kind, entry, tag and years. It narrows the
  // timeline and the list together, and keeps its state in the address
  // (?kind=…&entry=…&tag=…&from=…&to=…) so a filtered view can be shared
  // and survives a reload.
  var form = document.querySelector("form.chronology-filter");
  if (form) {
    form.hidden = false;
    var status = form.querySelector("[role=status]");
    var rows = Array.prototype.slice.call(document.querySelectorAll(".chronology-list tr.event-row"));
    var bodies = Array.prototype.slice.call(document.querySelectorAll(".chronology-list tbody.year"));
    var svg = document.querySelector("svg.timeline");
    var fields = ["entry", "tag", "from", "to"];
    var read = function () {
      var state = { kinds: [] };
      form.querySelectorAll("input[name=kind]").forEach(function (box) { if (box.checked) state.kinds.push(box.value); });
      fields.forEach(function (name) { state[name] = form.elements[name].value; });
      return state;
    };
    var hasTag = function (el, tag) { return (" " + (el.getAttribute("data-tags") || "") + " ").indexOf(" " + tag + " ") >= 0; };
    var apply = function () {
      var state = read();
      var kinds = {};
      state.kinds.forEach(function (k) { kinds[k] = true; });
      var from = state.from ? Number(state.from) : -Infinity, to = state.to ? Number(state.to) : Infinity;
      var shown = 0;
      rows.forEach(function (row) {
        var year = Number(row.parentNode.getAttribute("data-year"));
        var visible = kinds[row.getAttribute("data-kind")] && (!state.entry || row.getAttribute("data-entry") === state.entry) &&
          (!state.tag || hasTag(row, state.tag)) && year >= from && year <= to;
        row.hidden = !visible;
        if (visible) shown++;
      });
      bodies.forEach(function (body) { body.hidden = !body.querySelector("tr.event-row:not([hidden])"); });
      // The table of counts per year and kind follows too.
      var counted = {};
      rows.forEach(function (row) {
        if (row.hidden) return;
        var year = row.parentNode.getAttribute("data-year");
        counted[year] = counted[year] || {};
        counted[year][row.getAttribute("data-kind")] = (counted[year][row.getAttribute("data-kind")] || 0) + 1;
      });
      document.querySelectorAll(".chart-table tbody tr").forEach(function (tr) {
        var c = counted[tr.cells[0].textContent.trim()] || {};
        var total = 0;
        ["mechanism", "exercise", "declaration", "topic"].forEach(function (k, i) {
          tr.cells[i + 1].textContent = String(c[k] || 0);
          total += c[k] || 0;
        });
        tr.cells[5].textContent = String(total);
      });
      if (svg) layoutTimeline(svg, state, kinds);
      status.textContent = shown === rows.length ? "All " + shown + " events shown" : shown + " of " + rows.length + " events shown";
      if (state.entry && svg && svg.classList.contains("summary")) {
        status.textContent += "; the timeline sums up every entry: the entry's own page and its year pages draw its lane";
      }
      return state;
    };
    var write = function (state) {
      var params = [];
      if (state.kinds.length < 4) params.push("kind=" + state.kinds.join(","));
      fields.forEach(function (name) { if (state[name]) params.push(name + "=" + encodeURIComponent(state[name])); });
      var query = params.length ? "?" + params.join("&") : "";
      try {
        history.replaceState(null, "", location.pathname + query + location.hash);
      } catch (e) {
        // Some browsers refuse to change a file:// address; the fragment still keeps it.
        location.replace("#" + query.slice(1));
      }
    };
    var load = function () {
      var query = location.search.slice(1) || (location.hash.indexOf("=") > 0 ? location.hash.slice(1) : "");
      var params = {};
      query.split("&").forEach(function (pair) {
        var at = pair.indexOf("=");
        if (at > 0) params[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
      });
      if ("kind" in params) {
        var wanted = params.kind.split(",");
        form.querySelectorAll("input[name=kind]").forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
      }
      fields.forEach(function (name) {
        var field = form.elements[name];
        if (name in params && Array.prototype.some.call(field.options, function (o) { return o.value === params[name]; })) field.value = params[name];
      });
    };
    load();
    apply();
    form.addEventListener("change", function () { write(apply()); });
    form.addEventListener("reset", function () { setTimeout(function () { write(apply()); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  // The entry's contents list: open beside the text on a wide screen
  // (collapsed above it on a narrow one), with the section being read marked.
  var toc = document.querySelector("nav.toc");
  if (toc) {
    var details = toc.querySelector("details");
    var wide = window.matchMedia("(min-width: 64rem)");
    var fit = function () { details.open = wide.matches; };
    fit();
    if (wide.addEventListener) wide.addEventListener("change", fit);
    var links = Array.prototype.slice.call(toc.querySelectorAll("a[href^='#']"));
    var targets = links.map(function (a) { return document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1))); });
    var mark = function () {
      var current = -1;
      targets.forEach(function (t, i) { if (t && t.getBoundingClientRect().top < window.innerHeight * 0.3) current = i; });
      links.forEach(function (a, i) { if (i === current) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current"); });
    };
    var queued = false;
    window.addEventListener("scroll", function () {
      if (queued) return;
      queued = true;
      window.requestAnimationFrame(function () { queued = false; mark(); });
    }, { passive: true });
    mark();
  }

  // Lays the timeline out again for the filter: hides the lanes and marks it
  // leaves out, closes the gaps, and stretches the chosen years over the
  // plot. The same rules as src/render/timeline.rs.
  function layoutTimeline(svg, state, kinds) {
    var NS = "http://www.w3.org/2000/svg";
    var first = Number(svg.getAttribute("data-from")), last = Number(svg.getAttribute("data-to"));
    var from = state.from ? Math.max(first, Number(state.from)) : first;
    var to = state.to ? Math.min(last, Number(state.to) + 1) : last;
    if (to <= from) { from = first; to = last; }
    var px = Number(svg.getAttribute("data-plot-x")), pw = Number(svg.getAttribute("data-plot-w"));
    var x = function (t) { return px + (Math.min(Math.max(t, from), to) - from) / (to - from) * pw; };
    var r2 = function (v) { return String(Math.round(v * 100) / 100); };
    var y = Number(svg.getAttribute("data-top"));
    var rowsOf = Array.prototype.slice.call(svg.querySelectorAll("g.lane, g.kind-head"));
    var lanes = rowsOf.filter(function (g) { return g.classList.contains("lane"); });
    lanes.forEach(function (lane) {
      var kind = lane.getAttribute("data-kind"), entry = lane.getAttribute("data-entry");
      var any = false;
      lane.querySelectorAll("[data-from]").forEach(function (shape) {
        var a = Number(shape.getAttribute("data-from")), b = Number(shape.getAttribute("data-to"));
        var inside = b > from && a < to;
        var link = shape.closest("a") || shape;
        if (shape.matches(".stretch, .dispute-range, .baseline")) {
          shape.style.display = inside ? "" : "none";
        } else {
          link.style.display = inside ? "" : "none";
          if (inside) any = true;
        }
        if (shape.tagName === "circle") shape.setAttribute("cx", r2((x(a) + x(b)) / 2));
        else if (shape.tagName === "line") { shape.setAttribute("x1", r2(x(a))); shape.setAttribute("x2", r2(x(b))); }
        else if (shape.classList.contains("bar")) {
          var w = Math.max(1, (x(b) - x(a)) * 0.8);
          shape.setAttribute("x", r2(x(a) + (x(b) - x(a) - w) / 2)); shape.setAttribute("width", r2(w));
        } else if (shape.classList.contains("mark")) {
          var mw = Math.max(6, x(b) - x(a));
          shape.setAttribute("x", r2((x(a) + x(b) - mw) / 2)); shape.setAttribute("width", r2(mw));
        } else {
          shape.setAttribute("x", r2(x(a))); shape.setAttribute("width", r2(Math.max(1, x(b) - x(a))));
        }
      });
      // A summary lane of a kind sums every tag: with a tag chosen, only the tag's lane says what it shows.
      var tagged = lane.hasAttribute("data-tags");
      var keep = (!kind || kinds[kind]) && (!entry || !state.entry || entry === state.entry) &&
        (!state.tag || (tagged && hasTag(lane, state.tag)) || (!tagged && !lane.classList.contains("summary"))) && any;
      lane.setAttribute("data-shown", keep ? "1" : "");
    });
    var perKind = {};
    lanes.forEach(function (lane) { if (lane.getAttribute("data-shown")) perKind[lane.getAttribute("data-kind")] = (perKind[lane.getAttribute("data-kind")] || 0) + 1; });
    svg.querySelectorAll("g.kind-head .kind-count").forEach(function (count) {
      count.textContent = String(perKind[count.parentNode.getAttribute("data-kind")] || 0);
    });
    // A heading stays while a lane under it (up to the next heading) does.
    rowsOf.forEach(function (g, i) {
      if (!g.classList.contains("kind-head")) return;
      var shown = false;
      for (var j = i + 1; j < rowsOf.length && !rowsOf[j].classList.contains("kind-head"); j++) {
        if (rowsOf[j].getAttribute("data-shown") === "1") { shown = true; break; }
      }
      g.setAttribute("data-shown", shown ? "1" : "");
    });
    rowsOf.forEach(function (g) {
      var keep = g.getAttribute("data-shown") === "1";
      g.style.display = keep ? "" : "none";
      if (keep) {
        g.setAttribute("transform", "translate(0," + r2(y) + ")");
        y += Number(g.getAttribute("data-h"));
      }
    });
    var height = y + 28;
    svg.setAttribute("viewBox", "0 0 " + svg.getAttribute("width") + " " + r2(height));
    svg.setAttribute("height", r2(height));
    // The axis, drawn again for the chosen years.
    var axis = svg.querySelector("g.axis");
    while (axis.firstChild) axis.removeChild(axis.firstChild);
    var perYear = pw / (to - from);
    var step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter(function (s) { return s * perYear >= 40; })[0] || 1000;
    var top = Number(svg.getAttribute("data-top")), bottom = height - 4;
    for (var yr = Math.floor(from); yr <= Math.ceil(to); yr++) {
      var major = ((yr % step) + step) % step === 0;
      if (!major && perYear < 6) continue;
      var line = document.createElementNS(NS, "line");
      line.setAttribute("class", major ? "grid major" : "grid");
      line.setAttribute("x1", r2(x(yr))); line.setAttribute("x2", r2(x(yr)));
      line.setAttribute("y1", r2(top - 8)); line.setAttribute("y2", r2(bottom - 14));
      axis.appendChild(line);
      if (major && yr < Math.ceil(to)) {
        [14].concat(height > 320 ? [bottom] : []).forEach(function (ty) {
          var text = document.createElementNS(NS, "text");
          text.setAttribute("class", "tick"); text.setAttribute("x", r2(x(yr) + 3)); text.setAttribute("y", r2(ty));
          text.textContent = String(yr);
          axis.appendChild(text);
        });
      }
    }
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
    // Inside the page's main landmark, so that nothing is left outside a landmark.
    (link.closest("main") || document.body).appendChild(preview);
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
