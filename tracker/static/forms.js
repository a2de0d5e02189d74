// The error summary at the top of a refused form (templates/_forms.html): a link moves the focus
// to its field, not only the view, so the officer types straight into what must be fixed.
(function () {
  "use strict";
  if (window.trackerErrorSummary) { return; }  // the macro may appear once per form on a page
  window.trackerErrorSummary = true;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var holder = field.closest(".field") || field;
    holder.scrollIntoView({block: "center"});
    field.focus({preventScroll: true});
  });
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
}());
