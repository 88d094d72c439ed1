// The confirmation page: a button that copies the letter, for a representative's contact form.
(function () {
  "use strict";
  var button = document.getElementById("copy-letter");
  if (!button || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(document.getElementById("letter-text").value).then(function () {
      document.getElementById("copy-status").textContent = button.dataset.copied;
    });
  });
})();
