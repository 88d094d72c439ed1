// Keeps a campaign page's count and progress bar current while the page is open.
// count.json is cached like the page (for one count interval), so polling stays cheap.
(function () {
  "use strict";
  var block = document.querySelector("[data-count-url]");
  if (!block) return;
  var count = block.querySelector("[data-count]");
  var unit = block.querySelector("[data-count-unit]");
  var bar = block.querySelector("[role=progressbar]");
  var every = 1000 * Number(block.dataset.countEvery || 10);
  function show(data) {
    // Grouped as the page's language writes it, as the server did (1,234 or 1.234).
    count.textContent = data.signatures.toLocaleString(document.documentElement.lang, { useGrouping: "always" });
    if (unit) unit.textContent = data.signatures === 1 ? unit.dataset.one : unit.dataset.other;
    bar.setAttribute("aria-valuenow", data.signatures);
    var percent = data.goal > 0 ? Math.min(100, Math.floor((data.signatures * 100) / data.goal)) : 100;
    bar.firstElementChild.style.width = percent + "%";
  }
  function poll() {
    if (document.hidden) return;
    fetch(block.dataset.countUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () {});
  }
  setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
})();
