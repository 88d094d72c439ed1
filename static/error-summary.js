// After a refused form, move keyboard and screen-reader focus to the error summary, so the
// person hears what to fix instead of starting again at the top of the page.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.setAttribute("tabindex", "-1");
  summary.focus();
})();
