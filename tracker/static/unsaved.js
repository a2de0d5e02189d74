// A form marked data-warn-unsaved keeps what is typed in it:
// - it asks before the page is left with typing unsaved (another form's button, a link, closing
//   the tab); its own submit clears the warning;
// - it keeps a draft in this tab (sessionStorage: gone with the tab, never sent anywhere) of what
//   it sends. A send that did not save (the session ended meanwhile, the line dropped) brings the
//   officer back to an empty form after signing in: the form then offers the draft (恢复) or
//   drops it (丢弃). A page that says a save succeeded drops the drafts; a form the server showed
//   again with its errors holds the typing itself. Typing left on purpose (the leave question
//   answered) is not kept: the offer's words say the form was sent.
(function () {
  "use strict";
  var PREFIX = "tracker-draft:";
  var SKIPPED = /^(hidden|file|password|submit|button|reset|image)$/;
  var dirty = [];  // the marked forms typed in: sending one leaves the others' typing at stake
  var store;
  try { store = window.sessionStorage; } catch (error) { store = null; }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.name !== "csrf_token" && !SKIPPED.test(element.type || "");
    });
  }
  function values(form) {
    return fields(form).map(function (element) {
      var checkable = element.type === "checkbox" || element.type === "radio";
      return [element.name, checkable ? element.checked : element.value];
    });
  }
  function read(key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (error) { return null; }
  }
  function write(key, draft) {
    try { store.setItem(key, JSON.stringify(draft)); } catch (error) { /* full or refused: no draft */ }
  }
  function same(first, second) { return JSON.stringify(first) === JSON.stringify(second); }

  var forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (store && document.querySelector(".flash.success")) {
    Object.keys(store).forEach(function (key) {
      var draft = key.indexOf(PREFIX) === 0 && read(key);
      if (draft && draft.sent) { store.removeItem(key); }
    });
  }
  forms.forEach(function (form, index) {
    var key = PREFIX + location.pathname + "#" + index;
    var loaded = values(form);
    if (store) { offer(form, key, loaded); }
    function typed() { if (dirty.indexOf(form) < 0) { dirty.push(form); } }
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }  // refused before sending (submit-once.js)
      dirty = dirty.filter(function (other) { return other !== form; });
      if (store) { write(key, {at: Date.now(), sent: Date.now(), values: values(form)}); }
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty.length) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  function offer(form, key, loaded) {
    var draft = read(key);
    if (!draft || !draft.values || !draft.sent) { return; }
    var refused = form.querySelector(".error-summary") || document.querySelector("main .flash.error");
    if (refused || same(draft.values, loaded) || !sameFields(draft.values, loaded)) {
      store.removeItem(key);  // the server shows the typing itself, or it is another form now
      return;
    }
    var words = document.querySelector("meta[name='draft-messages']");
    if (!words) { return; }
    var when = new Date(draft.at);
    var time = ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
    var notice = document.createElement("div");
    notice.className = "flash info draft-offer";
    notice.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = words.getAttribute("data-offer").replace("{time}", time) + " ";
    notice.appendChild(text);
    [["data-restore", function () { restore(form, draft.values); }],
     ["data-discard", function () { store.removeItem(key); }]].forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = words.getAttribute(choice[0]);
      button.addEventListener("click", function () {
        choice[1]();
        notice.remove();
      });
      notice.appendChild(button);
      notice.appendChild(document.createTextNode(" "));
    });
    form.insertBefore(notice, form.firstChild);
  }
  function sameFields(first, second) {
    return first.length === second.length && first.every(function (pair, index) {
      return pair[0] === second[index][0];
    });
  }
  function restore(form, stored) {
    fields(form).forEach(function (element, index) {
      var value = stored[index][1];
      if (element.type === "checkbox" || element.type === "radio") { element.checked = value; }
      else { element.value = value; }
      element.dispatchEvent(new Event("change", {bubbles: true}));  // for widgets that follow a field
    });
  }
})();
