// A filter box for a long list of checkboxes or a long <select>: <input data-filter-list="ID"> hides the
// items of #ID whose text does not contain what is typed, ignoring case and diacritics. The box is hidden
// in the HTML and shown here: without JavaScript the whole list is there, as before.
(function () {
  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  document.querySelectorAll("[data-filter-list]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filter-list"));
    if (!list) return;
    box.hidden = false;
    var label = document.querySelector('label[for="' + box.id + '"]');
    if (label) label.hidden = false;
    var items = list.tagName === "SELECT" ? list.options : list.children;
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      Array.prototype.forEach.call(items, function (item) {
        if (item.value === "" && list.tagName === "SELECT") return;  // the placeholder stays
        var match = !needle || fold(item.textContent).indexOf(needle) !== -1;
        item.hidden = !match;
        if (list.tagName === "SELECT") item.disabled = !match && !item.selected;
      });
    });
  });
})();
