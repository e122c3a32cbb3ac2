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

// After a form is sent, focus goes to what it brought: the error summary, the result or the
// message saying what was done (elements marked data-focus-on-load; the first one wins).
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
  }
});

// A link of the error summary moves focus to its field, not only the view.
document.addEventListener("click", function (event) {
  var link = event.target instanceof Element ? event.target.closest(".error-links a") : null;
  if (!link) return;
  var field = document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  }
});
