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
