// handbook serve: reloads the page when the site is rebuilt, swaps
// stylesheets on CSS-only changes, and shows build problems in an overlay.
// Injected into served pages only; never part of `handbook build` output.
(function () {
  "use strict";
  var overlay = null;

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "handbook-problems";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#1f1f1f;color:#f3f3f3;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:1rem 1.25rem;" +
      "border-top:4px solid #e5484d;box-shadow:0 -4px 16px rgba(0,0,0,.4)";
    var title = document.createElement("p");
    title.style.cssText = "margin:0 0 .5rem;font-weight:bold";
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    title.textContent = "handbook: " + errors + " error" + (errors === 1 ? "" : "s") +
      " — the page shows the last good build. Fix the file and save; this goes away.";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.2rem";
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var where = document.createElement("strong");
      where.textContent = p.location + ": ";
      item.appendChild(where);
      item.appendChild(document.createTextNode(p.severity + ": " + p.message));
      if (p.hint) {
        var hint = document.createElement("div");
        hint.style.cssText = "opacity:.8";
        hint.textContent = "help: " + p.hint;
        item.appendChild(hint);
      }
      list.appendChild(item);
    });
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  function swapStylesheets() {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("handbook-reload", String(Date.now()));
      link.href = url.toString();
    });
  }

  // The page's path tells the server what to render first after a save.
  var source = new EventSource("/__handbook/events?page=" + encodeURIComponent(location.pathname));
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("css", function () { hide(); swapStylesheets(); });
  source.addEventListener("problems", function (event) { show(JSON.parse(event.data).problems); });
  window.__handbookLiveReload = source;
})();
