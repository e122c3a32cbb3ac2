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

// A running run's progress is not fetched while "update automatically" is unchecked. Here and
// not as an htmx trigger filter: the Content-Security-Policy forbids evaluating strings.
document.addEventListener("htmx:beforeRequest", function (event) {
  var toggle = document.getElementById("auto-refresh");
  if (toggle && !toggle.checked && event.target.id === "run-progress") {
    event.preventDefault();
  }
});
