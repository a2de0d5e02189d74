// A form is sent once: pressed again while its first sending is on its way (a double click, an
// impatient tap on a slow connection), it is not sent a second time. The second answer would
// replace the first on the screen: "没有修改" after a save that saved, "已有同名项目" after a
// project that was just created. The server refuses a second sending on its own as well; this
// spares the officer its answer. A form whose sending left the page in place (a download) may be
// sent again after a while, and a page brought back by the browser's Back button is sendable.
(function () {
  "use strict";
  var AGAIN_AFTER = 10000;  // ms
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method !== "post") { return; }
    if (form.hasAttribute("data-sending")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { sendable(form); }, AGAIN_AFTER);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(sendable);
  });
  function sendable(form) {
    form.removeAttribute("data-sending");
    form.removeAttribute("aria-busy");
  }
}());
