// A filter box above a long region picker (<select data-region-filter="…">): with the whole
// country loaded the picker holds some 3,200 regions, grouped by province. Typing a name
// (龙南) or a code (360783) leaves the matching regions and their groups; a single picker then
// chooses the first match, a multiple one keeps its chosen regions in sight.
// Without JavaScript the picker still works: it is an ordinary <select>.
(function () {
  "use strict";
  function attach(select) {
    if (select.options.length < 40) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "region-filter";
    box.placeholder = select.getAttribute("data-region-filter");
    box.setAttribute("aria-label", select.getAttribute("data-region-filter"));
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim();
      var groups = select.getElementsByTagName("optgroup");
      var first = null;
      for (var i = 0; i < select.options.length; i++) {
        var option = select.options[i];
        // A multiple picker keeps what is chosen in sight; a single one follows the filter.
        option.hidden = words !== "" && !(select.multiple && option.selected) &&
          option.text.indexOf(words) === -1;
        if (!option.hidden && first === null) { first = option; }
      }
      if (!select.multiple && first !== null && select.selectedIndex >= 0 &&
          select.options[select.selectedIndex].hidden) {
        first.selected = true;  // what the closed menu shows is what the filter found
      }
      for (var j = 0; j < groups.length; j++) {
        var visible = false;
        for (var k = 0; k < groups[j].children.length; k++) {
          if (!groups[j].children[k].hidden) { visible = true; break; }
        }
        groups[j].hidden = !visible;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var pickers = document.querySelectorAll("select[data-region-filter]");
    for (var i = 0; i < pickers.length; i++) { attach(pickers[i]); }
  });
})();
