// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Deadline countdowns: <span data-countdown="ISO end" data-now="server's ISO now"> is refreshed every
  // minute, counted from the server's clock (Asia/Shanghai, possibly pinned), not the visitor's.
  var loaded = Date.now();
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var end = new Date(el.getAttribute("data-countdown")), serverNow = new Date(el.getAttribute("data-now"));
      var ms = end - serverNow - (Date.now() - loaded);
      if (isNaN(ms)) return;
      var days = Math.floor(ms / 86400000), hours = Math.floor((ms % 86400000) / 3600000);
      var fmt = el.getAttribute("data-format") || "{d}天{h}小时";
      el.textContent = ms <= 0 ? (el.getAttribute("data-over") || "0") : fmt.replace("{d}", days).replace("{h}", hours);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 60000); });
  // "Select all" boxes in queues; selects that submit their form (the language switch).
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-submit-on-change]")) {
      e.target.form.submit();
    }
    if (e.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name='" + e.target.getAttribute("data-select-all") + "']").forEach(function (box) {
        box.checked = e.target.checked;
      });
    }
  });
  // The draw's commit-reveal: a party makes its secret in the browser (it never reaches the server) and
  // fills in the SHA-256 commitment.
  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-make-secret]");
    if (!button) return;
    var secret = hex(crypto.getRandomValues(new Uint8Array(32)));
    crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)).then(function (hash) {
      document.querySelector(button.getAttribute("data-make-secret")).textContent = secret;
      document.querySelector(button.getAttribute("data-commitment-into")).value = hex(hash);
    });
  });
})();
