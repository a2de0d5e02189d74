// A form is sent once: pressed again while its first sending is on its way (a double click, an
// impatient tap on a slow connection), it is not sent a second time. The second answer would
// replace the first on the screen: "没有修改" after a save that saved, "已有同名项目" after a
// project that was just created. The server refuses a second sending on its own as well; this
// spares the officer its answer. A form whose sending left the page in place (a download) may be
// sent again after a while, and a page brought back by the browser's Back button is sendable.
//
// A form with data-confirm asks its question first (the Content-Security-Policy allows no inline
// onsubmit): cancelled, it is not sent. Listened for while the event goes down (capture), so the
// question comes before the form is marked as sending.
(function () {
  "use strict";
  var AGAIN_AFTER = 10000;  // ms
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-sending")) { return; }
    if (tooLarge(form) || unreadable(form)) {
      event.preventDefault();
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // A date the browser cannot read ("04/31/2026" typed into a date box) is sent as nothing: the
  // server saw no date, saved the row without it and said 已保存. Told here, on the field.
  function unreadable(form) {
    var meta = document.querySelector("meta[name='unreadable-input']");
    var bad = Array.prototype.filter.call(form.elements, function (element) {
      return element.validity && element.validity.badInput;
    });
    form.querySelectorAll(".unreadable-input").forEach(function (old) { old.remove(); });
    if (!meta || !bad.length) { return false; }
    bad.forEach(function (element) {
      element.setAttribute("aria-invalid", "true");
      var message = document.createElement("span");
      message.className = "error unreadable-input";
      message.id = (element.id || element.name) + "-unreadable";
      message.textContent = meta.getAttribute(element.type === "number" ? "data-number" : "data-date");
      element.setAttribute("aria-describedby", message.id);
      element.insertAdjacentElement("afterend", message);
    });
    bad[0].focus();
    return true;
  }

  // Files past the server's limit are told here, before minutes of sending on a slow line end in
  // the server's bare "Request Entity Too Large" (it refuses them as their header arrives).
  function tooLarge(form) {
    var meta = document.querySelector("meta[name='upload-limit']");
    var inputs = form.querySelectorAll("input[type='file']");
    if (!meta || !inputs.length) { return false; }
    var total = 0;
    inputs.forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
    });
    var notice = form.querySelector(".upload-too-large");
    if (total <= Number(meta.content) - 65536) {  // the form's other fields travel with the files
      if (notice) { notice.remove(); }
      return false;
    }
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "flash error upload-too-large";
      notice.setAttribute("role", "alert");
      notice.tabIndex = -1;
      form.insertBefore(notice, form.firstChild);
    }
    notice.textContent = meta.getAttribute("data-message").replace("{size}", (total / 1048576).toFixed(1));
    notice.focus();
    return true;
  }
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
