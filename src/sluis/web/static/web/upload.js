/* Sluis data source page: drag-and-drop upload with a real progress bar, then live status.
 *
 * The browser talks to the same API as scripts do (POST /api/v1/sync_tasks/{id}/upload/,
 * GET /api/v1/uploads/{id}/), signed in by the session cookie with the CSRF token in a header.
 * The history table itself is HTML rendered by the server (/sources/{id}/history/) and swapped in
 * whenever an upload changes status, so there is one way to render it.
 */
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const input = $("upload-file"), zone = $("dropzone"), wrap = $("progress-wrap");
  const bar = $("upload-progress"), text = $("progress-text"), label = $("progress-label");
  const statusLine = $("upload-status"), errorBox = $("upload-error"), history = $("history");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const POLL_MS = 1000;
  let xhr = null, pollTimer = null;

  input.addEventListener("change", () => {
    if (input.files.length) send(input.files[0]);
  });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "dragend"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const files = event.dataTransfer ? event.dataTransfer.files : [];
    if (files.length !== 1) {
      showError("Drop one file at a time. To send many files at once, put them in one zip archive.");
      return;
    }
    send(files[0]);
  });
  $("upload-cancel").addEventListener("click", () => { if (xhr) xhr.abort(); });

  function send(file) {
    if (xhr) return;
    clearError();
    const data = new FormData();
    data.append("upload_file", file, file.name);
    xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress(e.loaded, e.total); });
    xhr.upload.addEventListener("load", () => say("Sent " + file.name + "; the server is storing it…"));
    xhr.addEventListener("load", () => answered(xhr, file));
    xhr.addEventListener("error", () => done(() => showError("The connection to the server was lost during the upload. Nothing was stored; please try again.")));
    xhr.addEventListener("abort", () => done(() => say("Upload cancelled. Nothing was stored.")));
    wrap.hidden = false;
    input.disabled = true;
    label.textContent = "Uploading " + file.name;
    progress(0, file.size || 1);
    say("Uploading " + file.name + " (" + humanSize(file.size) + ")…");
    xhr.send(data);
  }

  function progress(loaded, total) {
    const percent = Math.min(100, Math.round((loaded / total) * 100));
    bar.value = percent;
    text.textContent = percent + " %";
    bar.setAttribute("aria-valuetext", percent + " percent, " + humanSize(loaded) + " of " + humanSize(total));
  }

  function answered(request, file) {
    const body = parseJson(request.responseText);
    done(() => {
      if (request.status === 201) {
        progress(1, 1);
        say("Received " + file.name + " as upload #" + body.id + ". Status: " + (body.status || "queued") + ".");
        refreshHistory();
      } else {
        showError(explain(request, body, file));
        if (request.status === 409) refreshHistory();
      }
    });
  }

  function done(then) {
    xhr = null;
    input.disabled = false;
    input.value = "";
    wrap.hidden = true;
    then();
  }

  /* A sentence for every refusal the upload endpoint can give. */
  function explain(request, body, file) {
    const detail = body.detail ? " (" + body.detail + ")" : "";
    switch (request.status) {
      case 409: return busyMessage(request, body);
      case 413: return file.name + " is too large: uploads may be at most 500 MB" + detail + ". Split the data into smaller files.";
      case 403: return "You are not allowed to upload here, or you were signed out" + detail + ". Reload the page and sign in again.";
      case 404: return "This data source no longer exists or is no longer visible to you" + detail + ".";
      case 415: return "The browser sent the file in a form the server does not accept" + detail + ".";
      case 400: return file.name + " was refused: " + (body.detail || "the request was invalid") + offending(body);
      default: return "The upload failed: the server answered " + request.status + (body.detail ? ": " + body.detail : "") + ". Nothing was stored.";
    }
  }

  function busyMessage(request, body) {
    const running = body.upload || body.running_upload || body;
    const id = running.id ?? body.upload_id;
    const status = running.status ?? body.status;
    const since = running.started_at || running.received_at || running.upload_date || body.started_at;
    const retry = parseInt(request.getResponseHeader("Retry-After"), 10);
    let text = "This data source is busy: ";
    const state = status === "processing" ? "being processed" : "waiting to be processed";
    text += id ? "upload #" + id + " is still " + state : "an earlier upload is still being processed";
    if (since) text += " (since " + formatTime(since) + ")";
    text += ". Sluis processes one upload per data source at a time, so that data is never mixed. Your file was not uploaded: try again when that upload has finished";
    if (retry > 0) text += " (the server suggests waiting " + retry + " seconds)";
    return text + ".";
  }

  function offending(body) {
    const list = body.entries || body.members || body.offending || body.errors;
    if (!Array.isArray(list) || !list.length) return ".";
    return ": " + list.slice(0, 10).map((e) => (typeof e === "string" ? e : (e.name || e.file || "") + " " + (e.message || e.detail || ""))).join("; ") + ".";
  }

  /* Poll the status API of every busy upload in the table; re-render the table on a change. */
  function watch() {
    clearTimeout(pollTimer);
    const busy = Array.from(history.querySelectorAll("tr[data-status=queued], tr[data-status=processing]"));
    if (!busy.length) return;
    pollTimer = setTimeout(() => {
      Promise.all(busy.map(checkRow)).then((changed) => {
        if (changed.some(Boolean)) refreshHistory(); else watch();
      });
    }, POLL_MS);
  }

  function checkRow(row) {
    return fetch("/api/v1/uploads/" + row.dataset.uploadId + "/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { status: null }))
      .then((body) => body.status !== row.dataset.status)
      .catch(() => true);
  }

  function refreshHistory() {
    const before = statuses();
    fetch(history.dataset.historyUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        history.innerHTML = html;
        announce(before, statuses());
        watch();
      })
      .catch(() => setTimeout(refreshHistory, POLL_MS * 3));
  }

  function statuses() {
    const map = {};
    history.querySelectorAll("tr[data-upload-id]").forEach((row) => { map[row.dataset.uploadId] = row.dataset.status; });
    return map;
  }

  function announce(before, after) {
    Object.entries(after).forEach(([id, status]) => {
      if (before[id] === status) return;
      if (before[id] !== undefined) say("Upload #" + id + " is now " + status + ".");
      if (status === "succeeded") document.dispatchEvent(new CustomEvent("sluis:data-changed"));
    });
  }

  function say(message) { statusLine.textContent = message; }
  function showError(message) { errorBox.textContent = message; errorBox.hidden = false; }
  function clearError() { errorBox.textContent = ""; errorBox.hidden = true; }
  function parseJson(textBody) { try { return JSON.parse(textBody) || {}; } catch (e) { return {}; } }
  function formatTime(value) {
    const date = new Date(value);
    return isNaN(date) ? String(value) : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
  }
  function humanSize(bytes) {
    const units = ["bytes", "KB", "MB", "GB"];
    let size = bytes, unit = 0;
    while (size >= 1000 && unit < units.length - 1) { size /= 1000; unit++; }
    return (unit ? size.toFixed(1) : size) + " " + units[unit];
  }

  watch();
})();
