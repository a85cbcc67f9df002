/* "Copy" buttons next to a newly created token. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const field = document.getElementById(button.dataset.copy);
      const status = button.parentElement.querySelector(".copy-status");
      field.select();
      const copied = navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject();
      copied.then(() => { status.textContent = "Copied."; })
        .catch(() => { status.textContent = "Selected: press Ctrl+C (or Cmd+C) to copy."; });
    });
  });
})();
