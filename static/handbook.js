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
      if (!rows.length) {
        // A large handbook lists its events on the year pages, not here:
        // the filter narrows the timeline only.
        if (svg) layoutTimeline(svg, state, kinds);
        status.textContent = "The timeline follows the filter; each year's page lists its events";
        return state;
      }
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

// ---------------------------------------------------------------------------
// Search. Nothing is loaded until the search box is used; then the index's
// manifest, one shard per word of the query and one small file per result
// shown, each a script (so search works from file:// as well as a server).
// See src/output/search/mod.rs for the files. Words are analysed here
// exactly as src/output/search/text.rs analysed the handbook's text, so the
// two must change together (browser-tests/tests/search.test.mjs checks they
// agree on every word of the bundled handbook and on a list of Russian forms).
var handbookSearchText = (function () {
  "use strict";
  function isCJK(cp) {
    return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3ffff);
  }
  var SPECIAL = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i" };
  var MARKS = /\p{M}/gu, WORD = /^[\p{L}\p{N}]+$/u, CYRILLIC = /[\u0400-\u04ff]/, ASCII = /^[\x00-\x7f]*$/;
  var MAX_WORD = 40;

  // One character, folded: lowercased, Latin without diacritics, ё as е.
  function foldChar(ch) {
    if (isCJK(ch.codePointAt(0))) return ch;
    var out = "";
    for (var lower of ch.toLowerCase()) {
      var cp = lower.codePointAt(0);
      if (cp >= 0x400 && cp <= 0x4ff) out += lower === "ё" ? "е" : lower;
      else if (SPECIAL[lower]) out += SPECIAL[lower];
      else out += lower.normalize("NFD").replace(MARKS, "");
    }
    return out;
  }

  // Words ({cjk: false, text: folded}) and CJK runs ({cjk: true, text}),
  // each with where it is in `text` (start, end: UTF-16 offsets).
  function tokens(text) {
    var out = [], cur = null, i = 0;
    for (var ch of text) {
      var start = i;
      i += ch.length;
      if (isCJK(ch.codePointAt(0))) {
        if (!cur || !cur.cjk) { if (cur) out.push(cur); cur = { cjk: true, text: "", start: start, end: i }; }
        cur.text += ch;
        cur.end = i;
        continue;
      }
      var f = foldChar(ch);
      if (f === "") { if (cur) cur.end = i; continue; }
      if (WORD.test(f)) {
        if (!cur || cur.cjk) { if (cur) out.push(cur); cur = { cjk: false, text: "", start: start, end: i }; }
        cur.text += f;
        cur.end = i;
      } else {
        if (cur) out.push(cur);
        cur = null;
      }
    }
    if (cur) out.push(cur);
    return out;
  }

  // elasticlunr's English stop words.
  var STOP = {};
  ("a able about across after all almost also am among an and any are as at be because been but by can cannot could dear " +
   "did do does either else ever every for from get got had has have he her hers him his how however i if in into is it its " +
   "just least let like likely may me might most must my neither no nor not of off often on only or other our own rather " +
   "said say says she should since so some than that the their them then there these they this tis to too twas us wants " +
   "was we were what when where which while who whom why will with would yet you your").split(" ").forEach(function (w) { STOP[w] = true; });
  STOP[""] = true;

  // The Porter stemmer as elasticlunr-rs has it (Martin Porter's C version).
  function stemEn(word) {
    if (word.length <= 2) return word;
    var b = word.split(""), k = b.length, j = 0;
    function cons(i) {
      var c = b[i];
      if (c === "a" || c === "e" || c === "i" || c === "o" || c === "u") return false;
      if (c === "y") return i === 0 ? true : !cons(i - 1);
      return true;
    }
    function m() {
      var n = 0, i = 0;
      for (;;) { if (i >= j) return n; if (!cons(i)) break; i++; }
      i++;
      for (;;) {
        for (;;) { if (i >= j) return n; if (cons(i)) break; i++; }
        i++; n++;
        for (;;) { if (i >= j) return n; if (!cons(i)) break; i++; }
        i++;
      }
    }
    function hasVowel() { for (var i = 0; i < j; i++) if (!cons(i)) return true; return false; }
    function doubleC(i) { return i >= 1 && b[i] === b[i - 1] && cons(i); }
    function cvc(i) {
      if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
      return !(b[i] === "w" || b[i] === "x" || b[i] === "y");
    }
    function ends(s) {
      var l = s.length;
      if (l > k) return false;
      for (var x = 0; x < l; x++) if (b[k - l + x] !== s[x]) return false;
      j = k - l;
      return true;
    }
    function setTo(s) { for (var x = 0; x < s.length; x++) b[j + x] = s[x]; k = j + s.length; }
    function r(s) { if (m() > 0) setTo(s); }
    // Step 1ab.
    if (b[k - 1] === "s") {
      if (ends("sses")) k -= 2;
      else if (ends("ies")) setTo("i");
      else if (b[k - 2] !== "s") k -= 1;
    }
    if (ends("eed")) { if (m() > 0) k -= 1; }
    else if ((ends("ed") || ends("ing")) && hasVowel()) {
      k = j;
      if (ends("at")) setTo("ate");
      else if (ends("bl")) setTo("ble");
      else if (ends("iz")) setTo("ize");
      else if (doubleC(k - 1)) { k -= 1; var c = b[k - 1]; if (c === "l" || c === "s" || c === "z") k += 1; }
      else if (m() === 1 && cvc(k - 1)) setTo("e");
    }
    // Step 1c.
    if (k > 2 && ends("y") && "aeiou".indexOf(b[k - 2]) < 0) b[k - 1] = "i";
    // Step 2.
    var step2 = {
      a: [["ational", "ate"], ["tional", "tion"]], c: [["enci", "ence"], ["anci", "ance"]], e: [["izer", "ize"]],
      l: [["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"]],
      o: [["ization", "ize"], ["ation", "ate"], ["ator", "ate"]],
      s: [["alism", "al"], ["iveness", "ive"], ["fulness", "ful"], ["ousness", "ous"]],
      t: [["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"]], g: [["logi", "log"]]
    };
    if (k >= 2) {
      var rules = step2[b[k - 2]] || [];
      for (var x = 0; x < rules.length; x++) if (ends(rules[x][0])) { r(rules[x][1]); break; }
    }
    // Step 3.
    var step3 = {
      e: [["icate", "ic"], ["ative", ""], ["alize", "al"]], i: [["iciti", "ic"]], l: [["ical", "ic"], ["ful", ""]],
      s: [["ness", ""]]
    };
    var rules3 = step3[b[k - 1]] || [];
    for (var y = 0; y < rules3.length; y++) if (ends(rules3[y][0])) { r(rules3[y][1]); break; }
    // Step 4.
    if (k >= 2) {
      var matched = false;
      switch (b[k - 2]) {
        case "a": matched = ends("al"); break;
        case "c": matched = ends("ance") || ends("ence"); break;
        case "e": matched = ends("er"); break;
        case "i": matched = ends("ic"); break;
        case "l": matched = ends("able") || ends("ible"); break;
        case "n": matched = ends("ant") || ends("ement") || ends("ment") || ends("ent"); break;
        case "o": matched = (ends("ion") && j > 0 && (b[j - 1] === "s" || b[j - 1] === "t")) || ends("ou"); break;
        case "s": matched = ends("ism"); break;
        case "t": matched = ends("ate") || ends("iti"); break;
        case "u": matched = ends("ous"); break;
        case "v": matched = ends("ive"); break;
        case "z": matched = ends("ize"); break;
      }
      if (matched && m() > 1) k = j;
    }
    // Step 5.
    j = k;
    if (b[k - 1] === "e") { var a = m(); if (a > 1 || (a === 1 && !cvc(k - 2))) k -= 1; }
    if (b[k - 1] === "l" && doubleC(k - 1) && m() > 1) k -= 1;
    return b.slice(0, k).join("");
  }

  // The Snowball Russian stemmer (the version rust-stemmers has).
  var RU = {
    gerund1: ["в", "вши", "вшись"], gerund2: ["ив", "ивши", "ившись", "ыв", "ывши", "ывшись"],
    adjective: ["ее", "ие", "ые", "ое", "ими", "ыми", "ей", "ий", "ый", "ой", "ем", "им", "ым", "ом", "его", "ого", "ему", "ому",
      "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею"],
    participle1: ["ем", "нн", "вш", "ющ", "щ"], participle2: ["ивш", "ывш", "ующ"],
    reflexive: ["ся", "сь"],
    verb1: ["ла", "на", "ете", "йте", "ли", "й", "л", "ем", "н", "ло", "но", "ет", "ют", "ны", "ть", "ешь", "нно"],
    verb2: ["ила", "ыла", "ена", "ейте", "уйте", "ите", "или", "ыли", "ей", "уй", "ил", "ыл", "им", "ым", "ен", "ило", "ыло",
      "ено", "ят", "ует", "уют", "ит", "ыт", "ены", "ить", "ыть", "ишь", "ую", "ю"],
    noun: ["а", "ев", "ов", "ие", "ье", "е", "иями", "ями", "ами", "еи", "ии", "и", "ией", "ей", "ой", "ий", "й", "иям", "ям",
      "ием", "ем", "ам", "ом", "о", "у", "ах", "иях", "ях", "ы", "ь", "ию", "ью", "ю", "ия", "ья", "я"],
    derivational: ["ост", "ость"], tidy: ["ейш", "ейше", "н", "ь"]
  };
  function stemRu(word) {
    var w = word, n = w.length, V = "аеиоуыэюя";
    function vowel(i) { return V.indexOf(w[i]) >= 0; }
    var rv = n, r2 = n, i = 0;
    while (i < n && !vowel(i)) i++;
    if (i < n) {
      rv = i + 1;
      var p = rv;
      while (p < n && vowel(p)) p++;
      if (p < n) {
        p++;
        while (p < n && !vowel(p)) p++;
        if (p < n) {
          p++;
          while (p < n && vowel(p)) p++;
          if (p < n) r2 = p + 1;
        }
      }
    }
    // The longest of `lists` that ends the word within RV, and which list.
    function suffix() {
      var best = "", which = -1;
      for (var l = 0; l < arguments.length; l++) {
        arguments[l].forEach(function (s) {
          if (s.length > best.length && w.length - s.length >= rv && w.slice(w.length - s.length) === s) { best = s; which = l; }
        });
      }
      return which < 0 ? null : { s: best, list: which };
    }
    function afterAOrYa(s) { var at = w.length - s.length - 1; return at >= rv && (w[at] === "а" || w[at] === "я"); }
    function cut(s) { w = w.slice(0, w.length - s.length); }
    var g = suffix(RU.gerund1, RU.gerund2);
    if (g && (g.list === 1 || afterAOrYa(g.s))) cut(g.s);
    else {
      var refl = suffix(RU.reflexive);
      if (refl) cut(refl.s);
      var adj = suffix(RU.adjective);
      if (adj) {
        cut(adj.s);
        var part = suffix(RU.participle1, RU.participle2);
        if (part && (part.list === 1 || afterAOrYa(part.s))) cut(part.s);
      } else {
        var verb = suffix(RU.verb1, RU.verb2);
        if (verb && (verb.list === 1 || afterAOrYa(verb.s))) cut(verb.s);
        else {
          var noun = suffix(RU.noun);
          if (noun) cut(noun.s);
        }
      }
    }
    if (w.length - 1 >= rv && w[w.length - 1] === "и") cut("и");
    var der = suffix(RU.derivational);
    if (der && w.length - der.s.length >= r2) cut(der.s);
    var tidy = suffix(RU.tidy);
    if (tidy) {
      if (tidy.s === "ь") cut("ь");
      else if (tidy.s === "н") { if (w.length - 2 >= rv && w[w.length - 2] === "н") cut("н"); }
      else {
        cut(tidy.s);
        if (w.length - 2 >= rv && w.slice(w.length - 2) === "нн") cut("н");
      }
    }
    return w;
  }

  // The term a folded word is indexed under, or null (a stop word, too long).
  function wordTerm(word, english) {
    if (Array.from(word).length > MAX_WORD) return null;
    if (CYRILLIC.test(word)) return stemRu(word);
    if (english && ASCII.test(word)) return STOP[word] ? null : stemEn(word);
    return word;
  }

  return { tokens: tokens, wordTerm: wordTerm, stemEn: stemEn, stemRu: stemRu, foldChar: foldChar };
})();

(function () {
  "use strict";
  var T = handbookSearchText;
  var headerForm = document.querySelector("form.site-search");
  var pageForm = document.querySelector("form.search-page");
  if (!headerForm && !pageForm) return;
  var root = (headerForm || pageForm).getAttribute("data-root") || "";

  // The index's files call these when they load.
  var manifest = null, shards = {}, docs = {}, loading = {};
  window.handbookSearch = {
    index: function (m) { manifest = m; },
    shard: function (i, data) { shards[i] = data; },
    doc: function (n, data) { docs[n] = data; }
  };
  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (ok, fail) {
        var s = document.createElement("script");
        s.src = root + path;
        s.onload = function () { ok(); };
        s.onerror = function () { delete loading[path]; s.remove(); fail(new Error("cannot load " + path)); };
        document.head.appendChild(s);
      });
    }
    return loading[path];
  }

  // A query: the words and CJK runs to find, each with the index terms
  // that match it (`term` exactly, or any term it begins when `prefix`).
  // A last word of one or two letters, still being typed, waits for more.
  function parse(q) {
    var english = manifest.stem === "en", parts = [], toks = T.tokens(q);
    var last = toks[toks.length - 1];
    if (toks.length > 1 && last && !last.cjk && last.end === q.length && Array.from(last.text).length < 3) toks.pop();
    toks.forEach(function (t) {
      if (t.cjk) {
        var chars = Array.from(t.text);
        if (chars.length === 1) parts.push({ alts: [{ term: chars[0], prefix: false }] });
        for (var i = 0; i + 1 < chars.length; i++) parts.push({ alts: [{ term: chars[i] + chars[i + 1], prefix: false }] });
        return;
      }
      var term = T.wordTerm(t.text, english);
      if (term === null) return;
      var alts = [{ term: term, prefix: Array.from(term).length >= 3 }];
      if (t.text !== term && Array.from(t.text).length >= 3) alts.push({ term: t.text, prefix: true });
      parts.push({ alts: alts });
    });
    parts.forEach(function (p) { p.alts.forEach(placeAlt); });
    return parts;
  }
  // The shard a term is in: the last whose first term is not after it.
  function shardOf(term) {
    var firsts = manifest.shards, lo = 0, hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  // The shards an alternative needs: the terms it begins are in one or two
  // (a prefix that would need more matches exactly until more is typed).
  var PREFIX_SHARDS = 2;
  function placeAlt(alt) {
    var first = shardOf(alt.term), last = alt.prefix ? shardOf(alt.term + "\uffff") : first;
    if (last - first >= PREFIX_SHARDS) { alt.prefix = false; last = first; }
    alt.shards = [];
    for (var i = first; i <= last; i++) alt.shards.push(i);
  }
  function matches(alt, term) {
    return term === alt.term || (alt.prefix && term.lastIndexOf(alt.term, 0) === 0);
  }
  // Documents with every part of the query, best first: [{doc, score}].
  function find(parts) {
    var need = [];
    parts.forEach(function (p) { p.alts.forEach(function (a) { need = need.concat(a.shards); }); });
    return Promise.all(need.map(function (i) { return load("search/s/" + i + ".js"); })).then(function () {
      var n = manifest.docs, total = null;
      parts.forEach(function (p) {
        var scores = new Map();
        p.alts.forEach(function (alt) {
          alt.shards.forEach(function (i) {
            var shard = shards[i] || {};
            Object.keys(shard).forEach(function (term) {
              if (!matches(alt, term)) return;
              var list = shard[term], df = list.length / 2;
              var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5)) * (term === alt.term ? 1 : 0.5);
              for (var k = 0, doc = 0; k < list.length; k += 2) {
                doc += list[k];
                var s = idf * list[k + 1];
                if (!(scores.get(doc) >= s)) scores.set(doc, s);
              }
            });
          });
        });
        if (total === null) total = scores;
        else {
          var both = new Map();
          total.forEach(function (s, doc) { if (scores.has(doc)) both.set(doc, s + scores.get(doc)); });
          total = both;
        }
      });
      var hits = [];
      (total || new Map()).forEach(function (score, doc) { hits.push({ doc: doc, score: score }); });
      hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      return hits;
    });
  }

  // Where the parts of the query match in `text`: [{start, end}] and the
  // parts matched, found as the index found them (by term, not by letters).
  function matchText(text, parts) {
    var english = manifest.stem === "en", ranges = [], found = {};
    T.tokens(text).forEach(function (t) {
      if (t.cjk) {
        parts.forEach(function (p, n) {
          var a = p.alts[0];
          if (Array.from(a.term).length > Array.from(t.text).length) return;
          for (var at = t.text.indexOf(a.term); at >= 0; at = t.text.indexOf(a.term, at + 1)) {
            ranges.push({ start: t.start + at, end: t.start + at + a.term.length });
            found[n] = true;
          }
        });
        return;
      }
      var term = T.wordTerm(t.text, english);
      if (term === null) return;
      parts.forEach(function (p, n) {
        if (p.alts.some(function (a) { return matches(a, term); })) {
          ranges.push({ start: t.start, end: t.end });
          found[n] = true;
        }
      });
    });
    ranges.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else merged.push({ start: r.start, end: r.end });
    });
    return { ranges: merged, count: Object.keys(found).length };
  }
  // Appends `text` (from `from` to `to`) to `el`, the ranges in <mark>: text
  // nodes only, so nothing in the text is ever read as markup.
  function appendMarked(el, text, ranges, from, to) {
    var at = from;
    ranges.forEach(function (r) {
      if (r.end <= from || r.start >= to) return;
      var s = Math.max(r.start, from), e = Math.min(r.end, to);
      if (s > at) el.appendChild(document.createTextNode(text.slice(at, s)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(s, e);
      el.appendChild(mark);
      at = e;
    });
    if (at < to) el.appendChild(document.createTextNode(text.slice(at, to)));
  }
  var WHERE = { a: "Also known as", g: "Tags", f: "Facts", e: "Event" };
  // One result: the title, the kind, and the passage that matches best,
  // linked to its event or section when the match is there.
  function resultItem(doc, parts) {
    var title = matchText(doc.t, parts), best = null;
    doc.p.forEach(function (p) {
      var m = matchText(p[2], parts);
      if (m.count > 0 && (!best || m.count > best.m.count)) best = { p: p, m: m };
    });
    var href = root + doc.u;
    if (best && best.p[1] && best.m.count > title.count) href += "#" + best.p[1];
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = href;
    a.className = "search-title";
    appendMarked(a, doc.t, title.ranges, 0, doc.t.length);
    li.appendChild(a);
    var kind = document.createElement("span");
    kind.className = "kind-badge kind-" + doc.k;
    kind.textContent = doc.k;
    li.appendChild(document.createTextNode(" "));
    li.appendChild(kind);
    var shown = best ? best.p : doc.p.filter(function (p) { return p[0] === "s"; })[0];
    if (shown) {
      var excerpt = document.createElement("p");
      excerpt.className = "search-excerpt";
      var where = WHERE[shown[0]];
      if (!where && shown[1]) {
        var heading = doc.p.filter(function (p) { return p[0] === "h" && p[1] === shown[1]; })[0];
        if (heading && heading !== shown) where = heading[2];
      }
      if (where) {
        var label = document.createElement("span");
        label.className = "search-where";
        label.textContent = where + ": ";
        excerpt.appendChild(label);
      }
      var text = shown[2], ranges = best ? best.m.ranges : [];
      // A window of the passage around its first match.
      var from = 0, to = text.length, room = 240;
      if (text.length > room) {
        var first = ranges.length ? ranges[0].start : 0;
        from = Math.max(0, first - 80);
        if (from > 0) { var space = text.indexOf(" ", from); from = space >= 0 && space < first ? space + 1 : from; }
        to = Math.min(text.length, from + room);
        if (to < text.length) { var back = text.lastIndexOf(" ", to); to = back > from + room / 2 ? back : to; }
      }
      if (from > 0) excerpt.appendChild(document.createTextNode("… "));
      appendMarked(excerpt, text, ranges, from, to);
      if (to < text.length) excerpt.appendChild(document.createTextNode(" …"));
      li.appendChild(excerpt);
    }
    return li;
  }
  function docs_(hits) {
    return Promise.all(hits.map(function (h) { return load("search/d/" + h.doc + ".js"); }));
  }

  // Runs `q`, and calls show(hits, parts) with the results, unless a later
  // search has started meanwhile; fail(error) when the index cannot load.
  var generation = 0;
  function search(q, show, fail) {
    var mine = ++generation;
    load("search/index.js").then(function () {
      if (mine !== generation) return;
      var parts = parse(q);
      if (!parts.length) return show([], parts);
      return find(parts).then(function (hits) { if (mine === generation) show(hits, parts); });
    }).catch(function (e) { if (mine === generation) fail(e); });
  }
  function plural(n) { return n + " result" + (n === 1 ? "" : "s"); }
  function unavailable(status) {
    return function () { status.textContent = "Search is unavailable: its index could not be loaded."; };
  }

  // The search box in every page's header: results as you type.
  if (headerForm) {
    headerForm.hidden = false;
    var input = headerForm.querySelector("input[type=search]");
    var panel = headerForm.querySelector(".search-panel");
    var list = panel.querySelector(".search-results");
    var status = panel.querySelector(".search-status");
    var SHOWN = 8, timer = null;
    var clear = function () {
      generation++;
      list.textContent = "";
      status.textContent = "";
      panel.hidden = true;
    };
    var run = function () {
      var q = input.value.trim();
      // One letter is not yet a query (one CJK character is).
      if (!q || (q.length === 1 && !T.tokens(q).some(function (t) { return t.cjk; }))) return clear();
      search(q, function (hits, parts) {
        var top = hits.slice(0, SHOWN);
        docs_(top).then(function () {
          if (input.value.trim() !== q) return;
          list.textContent = "";
          top.forEach(function (h) { list.appendChild(resultItem(docs[h.doc], parts)); });
          if (hits.length > SHOWN) {
            var li = document.createElement("li");
            li.className = "search-all";
            var a = document.createElement("a");
            a.href = root + "search.html?q=" + encodeURIComponent(q);
            a.textContent = "All " + plural(hits.length);
            li.appendChild(a);
            list.appendChild(li);
          }
          status.textContent = hits.length ? plural(hits.length) : "No results for “" + q + "”";
          status.setAttribute("data-query", q);
          panel.hidden = false;
        }, unavailable(status));
      }, function () { unavailable(status)(); panel.hidden = false; });
    };
    input.addEventListener("focus", function () { load("search/index.js").catch(function () {}); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    var links = function () { return Array.prototype.slice.call(list.querySelectorAll("a")); };
    headerForm.addEventListener("keydown", function (e) {
      var all = links(), at = all.indexOf(document.activeElement);
      if (e.key === "Escape") {
        e.preventDefault();
        input.value = "";
        clear();
        input.focus();
      } else if (e.key === "ArrowDown" && all.length && !panel.hidden) {
        e.preventDefault();
        all[Math.min(at + 1, all.length - 1)].focus();
      } else if (e.key === "ArrowUp" && at >= 0) {
        e.preventDefault();
        if (at === 0) input.focus(); else all[at - 1].focus();
      }
    });
    // Enter in the box opens the search page (a stable address for the query).
    headerForm.addEventListener("submit", function (e) {
      if (!input.value.trim()) e.preventDefault();
    });
    document.addEventListener("click", function (e) { if (!headerForm.contains(e.target)) panel.hidden = true; });
    input.addEventListener("focus", function () { if (list.childNodes.length || status.textContent) panel.hidden = false; });
  }

  // The search page: search.html?q=… shows every result, a page at a time.
  if (pageForm) {
    var pInput = pageForm.querySelector("input[type=search]");
    var pList = pageForm.querySelector(".search-results");
    var pStatus = pageForm.querySelector(".search-status");
    var more = pageForm.querySelector(".search-more");
    var PAGE = 20, hitsNow = [], partsNow = [], shownNow = 0;
    var showMore = function () {
      var next = hitsNow.slice(shownNow, shownNow + PAGE);
      more.disabled = true;
      docs_(next).then(function () {
        next.forEach(function (h) { pList.appendChild(resultItem(docs[h.doc], partsNow)); });
        shownNow += next.length;
        more.hidden = shownNow >= hitsNow.length;
        more.disabled = false;
      }, unavailable(pStatus));
    };
    var runPage = function (q) {
      pList.textContent = "";
      more.hidden = true;
      if (!q) { pStatus.textContent = "Type a name, a place or a word."; return; }
      pStatus.textContent = "Searching…";
      search(q, function (hits, parts) {
        hitsNow = hits;
        partsNow = parts;
        shownNow = 0;
        pStatus.textContent = hits.length ? plural(hits.length) + " for “" + q + "”" : "No results for “" + q + "”";
        showMore();
      }, unavailable(pStatus));
    };
    more.addEventListener("click", showMore);
    var q0 = new URLSearchParams(location.search).get("q") || "";
    pInput.value = q0;
    runPage(q0.trim());
    pageForm.addEventListener("keydown", function (e) {
      var all = Array.prototype.slice.call(pList.querySelectorAll("a")), at = all.indexOf(document.activeElement);
      if (e.key === "Escape") { e.preventDefault(); pInput.value = ""; runPage(""); pInput.focus(); }
      else if (e.key === "ArrowDown" && all.length) { e.preventDefault(); all[Math.min(at + 1, all.length - 1)].focus(); }
      else if (e.key === "ArrowUp" && at >= 0) { e.preventDefault(); if (at === 0) pInput.focus(); else all[at - 1].focus(); }
    });
  }
})();
