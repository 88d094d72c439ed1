// Reports a campaign page view, and the first input in its sign form, for the funnel chart.
(function () {
  "use strict";
  var page = document.querySelector("[data-funnel-url]");
  if (!page) return;
  function report(event) {
    fetch(page.dataset.funnelUrl.replace("EVENT", event), { method: "POST", keepalive: true });
  }
  report("view");
  var form = page.querySelector("form");
  if (form) form.addEventListener("input", function () { report("started"); }, { once: true });
})();
