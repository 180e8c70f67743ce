/* KPI実績台帳: small page behaviours (no data, no external resources). */
(function () {
  "use strict";

  /* Tables that turn into cards on a narrow screen (ledger.css sets display: block / grid on
     their rows and cells) keep their table semantics: some browsers (WebKit) drop a table's
     roles once its display changes, so they are stated explicitly, as the native ones. */
  function keepTableRoles(table) {
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody, tfoot").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
    table.querySelectorAll("tr").forEach(function (row) { row.setAttribute("role", "row"); });
    table.querySelectorAll("td").forEach(function (cell) { cell.setAttribute("role", "cell"); });
    table.querySelectorAll("th").forEach(function (header) {
      var across = header.closest("thead") || /^col/.test(header.getAttribute("scope") || "");
      header.setAttribute("role", across ? "columnheader" : "rowheader");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("table.report, table.stack").forEach(keepTableRoles);
  });
})();
