/* Sluis data source page: drop or choose files, send them one after another with a real
 * progress bar (MB sent, speed, time left), then follow their processing live.
 *
 * Sending one file is sluisTransport.send (transport.js); this script only queues files, zips a
 * shapefile's loose parts into one archive (fflate), explains answers and refreshes the history.
 * A data source processes one upload at a time, so the next file is sent once the previous
 * upload has finished processing. The browser talks to the same API as scripts do, signed in by
 * the session cookie with the CSRF token in a header. The history table itself is HTML rendered
 * by the server (/sources/{id}/history/) and swapped in whenever an upload changes status.
 */
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const input = $("upload-file"), zone = $("dropzone"), wrap = $("progress-wrap");
  const bar = $("upload-progress"), text = $("progress-text"), label = $("progress-label");
  const detail = $("progress-detail"), statusLine = $("upload-status"), errorBox = $("upload-error");
  const history = $("history");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const maxBytes = parseInt(form.dataset.maxBytes, 10) || Infinity;
  const POLL_MS = 1000;
  const SHAPEFILE_PARTS = ["shp", "shx", "dbf", "prj", "cpg", "sbn", "sbx", "qix", "qmd", "xml"];
  let sending = null, pollTimer = null, queue = [];

  input.addEventListener("change", () => { start(Array.from(input.files)); });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "dragend"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    start(Array.from(event.dataTransfer ? event.dataTransfer.files : []));
  });
  $("upload-cancel").addEventListener("click", () => {
    queue = [];
    if (sending) sending.abort();
  });
  window.addEventListener("beforeunload", (event) => {
    if (!sending && !queue.length) return;
    event.preventDefault();
    event.returnValue = gettext("An upload is still being sent. Leaving this page cancels it.");
  });

  function start(files) {
    if (!files.length || sending || queue.length) return;
    clearError();
    say("");
    queue = bundle(files);
    next(null);
  }

  /* A shapefile's loose parts (same name, .shp/.shx/.dbf/…) become one zip; others stay apart. */
  function bundle(files) {
    if (form.dataset.kind !== "vector" || !window.fflate) return files;
    const groups = {}, rest = [];
    files.forEach((file) => {
      const match = /^(.*)\.([^.]+)$/.exec(file.name);
      const ext = match ? match[2].toLowerCase() : "";
      if (match && SHAPEFILE_PARTS.includes(ext)) (groups[match[1]] = groups[match[1]] || []).push(file);
      else rest.push(file);
    });
    const zipped = Object.entries(groups).map(([stem, parts]) =>
      parts.some((f) => /\.shp$/i.test(f.name)) && parts.length > 1 ? { stem: stem, parts: parts } : null);
    Object.values(groups).forEach((parts, i) => { if (!zipped[i]) rest.push(...parts); });
    return zipped.filter(Boolean).concat(rest);
  }

  function zipParts(item) {
    return Promise.all(item.parts.map((f) => f.arrayBuffer().then((b) => [f.name, new Uint8Array(b)])))
      .then((entries) => {
        const zipped = window.fflate.zipSync(Object.fromEntries(entries), { level: 6 });
        return new File([zipped], item.stem + ".zip", { type: "application/zip" });
      });
  }

  /* Send the next queued file once the upload before it (``previous``) has finished. */
  function next(previous) {
    if (!queue.length) { finish(); return; }
    const item = queue.shift();
    const ready = item instanceof File ? Promise.resolve(item) : zipParts(item);
    ready.then((file) => afterProcessing(previous, file).then(() => send(file)));
  }

  function afterProcessing(uploadId, file) {
    if (!uploadId) return Promise.resolve();
    say(interpolate(gettext("%(name)s waits until upload #%(id)s is processed (one upload per data source at a time)…"),
      { name: file.name, id: uploadId }, true));
    return new Promise((resolve) => {
      const check = () => getStatus(uploadId).then((status) => {
        if (status === "queued" || status === "processing") setTimeout(check, POLL_MS);
        else resolve();
      });
      check();
    });
  }

  function send(file) {
    if (file.size > maxBytes) {
      refuse(interpolate(gettext("%(name)s is too large: uploads may be at most %(limit)s. Split the data into smaller files."),
        { name: file.name, limit: humanSize(maxBytes) }, true));
      next(null);
      return;
    }
    wrap.hidden = false;
    input.disabled = true;
    label.textContent = interpolate(gettext("Uploading %(name)s"), { name: file.name }, true);
    progress({ sent: 0, total: file.size || 1, speed: 0, remaining: null });
    say(interpolate(gettext("Uploading %(name)s (%(size)s)…"), { name: file.name, size: humanSize(file.size) }, true));
    sending = window.sluisTransport.send(file, {
      url: form.dataset.uploadUrl,
      csrf: csrf,
      onProgress: progress,
      onSent: () => say(interpolate(gettext("Sent %(name)s; the server is storing it…"), { name: file.name }, true)),
    });
    sending.done.then((answer) => answered(answer, file));
  }

  function progress(p) {
    const percent = Math.min(100, Math.round((p.sent / p.total) * 100));
    bar.value = percent;
    text.textContent = percent + " %";
    let line = interpolate(gettext("%(sent)s of %(total)s"), { sent: humanSize(p.sent), total: humanSize(p.total) }, true);
    if (p.speed > 0) line += " · " + humanSize(p.speed) + "/s";
    if (p.remaining !== null && p.sent < p.total) line += " · " + interpolate(gettext("%(time)s left"), { time: duration(p.remaining) }, true);
    detail.textContent = line;
    bar.setAttribute("aria-valuetext", percent + " %, " + line);
  }

  function answered(answer, file) {
    sending = null;
    wrap.hidden = true;
    if (answer.aborted) { queue = []; say(gettext("Upload cancelled. Nothing was stored.")); return finish(); }
    if (answer.lost) { queue = []; refuse(gettext("The connection to the server was lost during the upload. Nothing was stored; please try again.")); return finish(); }
    if (answer.status === 201) {
      progress({ sent: 1, total: 1, speed: 0, remaining: null });
      say(interpolate(gettext("Received %(name)s as upload #%(id)s. Status: %(status)s."),
        { name: file.name, id: answer.body.id, status: statusName(answer.body.status || "queued") }, true));
      refreshHistory();
      next(answer.body.id);
      return;
    }
    refuse(explain(answer, file));
    if (answer.status === 409) refreshHistory();
    next(null);
  }

  function finish() {
    input.disabled = false;
    input.value = "";
  }

  /* A sentence for every refusal the upload endpoint can give. */
  function explain(answer, file) {
    const body = answer.body, reason = messageOf(body);
    const args = { name: file.name, reason: reason, status: answer.status, limit: humanSize(maxBytes) };
    switch (answer.status) {
      case 409: return busyMessage(answer, body);
      case 413: return interpolate(gettext("%(name)s is too large: uploads may be at most %(limit)s. Split the data into smaller files."), args, true);
      case 403: return interpolate(gettext("You are not allowed to upload here, or you were signed out (%(reason)s). Reload the page and sign in again."), args, true);
      case 404: return interpolate(gettext("This data source no longer exists or is no longer visible to you (%(reason)s)."), args, true);
      case 415: return interpolate(gettext("The browser sent the file in a form the server does not accept (%(reason)s)."), args, true);
      case 400: return interpolate(gettext("%(name)s was refused: %(reason)s"), args, true) + members(body, reason);
      default: return interpolate(gettext("The upload failed: the server answered %(status)s (%(reason)s). Nothing was stored."), args, true);
    }
  }

  /* The one renderer of an error body's message, whatever its shape: {detail}, {message},
   * {problem} (archive members), a string; always one sentence ending in a full stop. */
  function messageOf(body) {
    const raw = typeof body === "string" ? body : (body && (body.detail || body.message || body.problem || body.title)) || gettext("no reason given");
    const textValue = String(raw).trim();
    return /[.!?…]$/.test(textValue) ? textValue : textValue + ".";
  }

  /* The offending entries of a refusal that the message itself does not already name. */
  function members(body, reason) {
    const list = body.members || body.entries || body.offending || [];
    if (!Array.isArray(list)) return "";
    const unnamed = list.filter((m) => typeof m === "object" && !reason.includes(m.name || m.file || "\u0000"));
    return unnamed.slice(0, 10).map((m) => " " + (m.name || m.file) + ": " + messageOf(m)).join("");
  }

  function busyMessage(answer, body) {
    const running = body.upload || body.running_upload || body;
    const id = running.id ?? body.upload_id;
    const status = running.status ?? body.status;
    const since = running.started_at || running.received_at || running.upload_date || body.started_at;
    const retry = parseInt(answer.header("Retry-After"), 10);
    let message = id
      ? interpolate(status === "processing" ? gettext("This data source is busy: upload #%(id)s is still being processed") : gettext("This data source is busy: upload #%(id)s is still waiting to be processed"), { id: id }, true)
      : gettext("This data source is busy: an earlier upload is still being processed");
    if (since) message += " (" + interpolate(gettext("since %(time)s"), { time: window.sluisTime.format(since, form.dataset.zone) }, true) + ")";
    message += ". " + gettext("Sluis processes one upload per data source at a time, so that data is never mixed. Your file was not uploaded: try again when that upload has finished");
    if (retry > 0) message += " " + interpolate(gettext("(the server suggests waiting %(seconds)s seconds)"), { seconds: retry }, true);
    return message + ".";
  }

  /* Poll the status API of every busy upload in the table; re-render the table on a change. */
  function watch() {
    clearTimeout(pollTimer);
    const busy = Array.from(history.querySelectorAll("tr[data-status=queued], tr[data-status=processing]"));
    if (!busy.length) return;
    pollTimer = setTimeout(() => {
      Promise.all(busy.map((row) => getStatus(row.dataset.uploadId).then((s) => s !== row.dataset.status))).then((changed) => {
        if (changed.some(Boolean)) refreshHistory(); else watch();
      });
    }, POLL_MS);
  }

  function getStatus(id) {
    return fetch("/api/v1/uploads/" + id + "/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { status: null }))
      .then((body) => body.status)
      .catch(() => null);
  }

  function refreshHistory() {
    const before = statuses();
    fetch(history.dataset.historyUrl + window.location.search, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        history.innerHTML = html;
        window.sluisTime.localize(history);
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
      if (before[id] !== undefined) say(interpolate(gettext("Upload #%(id)s is now %(status)s."), { id: id, status: statusName(status) }, true));
      if (status === "succeeded") document.dispatchEvent(new CustomEvent("sluis:data-changed"));
    });
  }

  function statusName(status) {
    return { queued: gettext("queued"), processing: gettext("processing"), succeeded: gettext("succeeded"), failed: gettext("failed") }[status] || status;
  }
  function say(message) { statusLine.textContent = message; }
  /* A refusal replaces the status line (a stale "Sent …" never stays above an error); the
   * refusals of one drop are listed together, one paragraph per file. */
  function refuse(message) {
    say("");
    const line = document.createElement("p");
    line.textContent = message;
    errorBox.append(line);
    errorBox.hidden = false;
  }
  function clearError() { errorBox.replaceChildren(); errorBox.hidden = true; }
  function humanSize(bytes) {
    const units = [gettext("bytes"), "KB", "MB", "GB"];
    let size = bytes, unit = 0;
    while (size >= 1000 && unit < units.length - 1) { size /= 1000; unit++; }
    return (unit ? size.toFixed(1) : Math.round(size)) + " " + units[unit];
  }
  function duration(seconds) {
    const s = Math.max(1, Math.round(seconds));
    if (s < 60) return interpolate(ngettext("%s second", "%s seconds", s), [s]);
    const m = Math.round(s / 60);
    return interpolate(ngettext("%s minute", "%s minutes", m), [m]);
  }

  watch();
})();
