// "Select all" for checkbox lists (the review inbox). Everything works without this script.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  var group = box.getAttribute("data-select-all");
  if (group) {
    document.querySelectorAll('input[data-select="' + group + '"]').forEach(function (other) {
      other.checked = box.checked;
    });
  }
});
