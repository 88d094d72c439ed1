// The campaign page is shared by caches, so its sign form carries no CSRF token. When the
// signer starts filling it in, fetch this browser's own token from an uncacheable endpoint
// (only would-be signers reach the server; readers are served by the cache). Without this
// script the server shows the form again with a token and the signer presses Sign once more.
(function () {
  "use strict";
  var form = document.querySelector("form[data-csrf-url]");
  if (!form) return;
  var input = form.querySelector('input[name="csrf_token"]');
  var pending = null;

  function fetchToken() {
    if (!pending) {
      pending = fetch(form.dataset.csrfUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("csrf token: HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          input.value = data.csrf_token;
        })
        .catch(function () {
          pending = null; // try again on submit; the server-side fallback still works
        });
    }
    return pending;
  }

  if (input.value) return; // a server-rendered form (after an error) has its token already
  form.addEventListener("focusin", fetchToken, { once: true });
  form.addEventListener("submit", function (event) {
    if (input.value) return;
    event.preventDefault();
    fetchToken().then(function () {
      form.submit();
    });
  });
})();
