// Sharing and source codes. The page is cached without its query string, so the `?src=`
// a visitor arrived with is copied into the sign form here; share buttons use the Web
// Share API where the browser has it, and copy the link otherwise, saying so in the page's
// language (the button's data-copied and data-copy-failed).
(function () {
  "use strict";
  var source = new URLSearchParams(window.location.search).get("src");
  if (source) {
    document.querySelectorAll("input[data-source]").forEach(function (input) {
      input.value = source;
    });
  }

  document.querySelectorAll("[data-share-url]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.dataset.shareUrl;
      if (navigator.share) {
        navigator.share({ title: button.dataset.shareTitle, url: url }).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(
        function () {
          status.textContent = button.dataset.copied;
        },
        function () {
          status.textContent = button.dataset.copyFailed;
        }
      );
    });
  });
})();
