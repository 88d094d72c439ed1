// Organizer workspace: the explainer's live preview and the analytics chart.
(function () {
  "use strict";

  // Live preview: the server renders the Markdown with the public page's own renderer.
  document.querySelectorAll("textarea[data-preview-url]").forEach(function (area) {
    var target = document.getElementById(area.dataset.previewTarget);
    var token = area.form.querySelector('input[name="csrf_token"]').value;
    var timer = null;
    function refresh() {
      var body = new URLSearchParams({ text: area.value });
      fetch(area.dataset.previewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) target.innerHTML = data.html; });
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
  });

  // Bulk moderation: one box ticks every letter in the queue (shown only with script).
  document.querySelectorAll("[data-select-all]").forEach(function (wrapper) {
    var all = wrapper.querySelector("input");
    var boxes = wrapper.closest("form").querySelectorAll('input[name="letter_id"]');
    wrapper.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  });

  // Signatures and letters per day (Chart.js, vendored in static/vendor/).
  var data = document.getElementById("series-data");
  var canvas = document.getElementById("over-time");
  if (data && canvas && window.Chart) {
    var series = JSON.parse(data.textContent);
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: series.days,
        datasets: [
          { label: "Confirmed signatures", data: series.signatures, backgroundColor: "#1d4ed8", maxBarThickness: 48 },
          { label: "Letters", data: series.letters, backgroundColor: "#f59e0b", maxBarThickness: 48 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    canvas.dataset.total = String(series.signatures.reduce(function (a, b) { return a + b; }, 0));
    window.chorusChart = chart;
  }
})();
