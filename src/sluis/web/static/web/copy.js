/* The token page: "Copy" buttons next to a newly created token, and a confirmation before a
 * token is revoked (the form's data-confirm text; without JavaScript the form posts directly). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const field = document.getElementById(button.dataset.copy);
      const status = button.parentElement.querySelector(".copy-status");
      field.select();
      const copied = navigator.clipboard ? navigator.clipboard.writeText(field.value) : Promise.reject();
      copied.then(() => { status.textContent = gettext("Copied."); })
        .catch(() => { status.textContent = gettext("Selected: press Ctrl+C (or Cmd+C) to copy."); });
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
