// rapd console: flips partner status badges live from /console/events (server-sent events).
// The pages work without this script; it only saves a reload.
"use strict";
(function () {
  if (!window.EventSource || !document.querySelector("[data-partner-status]")) {
    return;
  }
  var root = document.documentElement;
  var source = new EventSource("/console/events");
  source.addEventListener("open", function () {
    root.setAttribute("data-live", "connected");
  });
  source.addEventListener("error", function () {
    root.setAttribute("data-live", "reconnecting");
  });
  source.addEventListener("partner", function (event) {
    JSON.parse(event.data).forEach(function (state) {
      var id = CSS.escape(state.id);
      document.querySelectorAll('[data-partner-status="' + id + '"]').forEach(function (el) {
        var badge = el.querySelector("[data-badge]");
        badge.textContent = state.label;
        badge.className = "badge badge-" + state.status;
        el.querySelector("[data-detail]").textContent = state.detail;
      });
      document.querySelectorAll('[data-partner="' + id + '"] [data-show-for]').forEach(function (el) {
        el.hidden = el.getAttribute("data-show-for").split(" ").indexOf(state.status) < 0;
      });
    });
  });
})();
