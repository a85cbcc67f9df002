/* Sending one file to the upload endpoint: the one function the page's upload flow calls, so
 * that the transport can be swapped (e.g. for a resumable protocol) without touching the rest.
 *
 *   const sending = sluisTransport.send(file, { url, csrf, onProgress });
 *   sending.abort();                  // cancel: the promise resolves with { aborted: true }
 *   sending.done.then((answer) => …)  // { status, body, header(name) } or { aborted } / { lost }
 *
 * onProgress({ sent, total, speed, remaining }) reports bytes really sent (the browser's upload
 * progress), the speed in bytes per second over the last few seconds, and the seconds left.
 */
(function () {
  "use strict";
  const WINDOW_MS = 3000;

  function send(file, options) {
    const xhr = new XMLHttpRequest();
    const data = new FormData();
    data.append("upload_file", file, file.name);
    const samples = [];
    const done = new Promise((resolve) => {
      xhr.open("POST", options.url);
      xhr.setRequestHeader("X-CSRFToken", options.csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable || !options.onProgress) return;
        options.onProgress(measure(samples, e.loaded, e.total));
      });
      if (options.onSent) xhr.upload.addEventListener("load", options.onSent);
      xhr.addEventListener("load", () => resolve({
        status: xhr.status,
        body: parseJson(xhr.responseText),
        header: (name) => xhr.getResponseHeader(name),
      }));
      xhr.addEventListener("error", () => resolve({ lost: true }));
      xhr.addEventListener("abort", () => resolve({ aborted: true }));
      xhr.send(data);
    });
    return { done: done, abort: () => xhr.abort() };
  }

  /* Speed over the last WINDOW_MS of samples, and the time left at that speed. */
  function measure(samples, sent, total) {
    const now = performance.now();
    samples.push([now, sent]);
    while (samples.length > 2 && now - samples[0][0] > WINDOW_MS) samples.shift();
    const [since, from] = samples[0];
    const seconds = (now - since) / 1000;
    const speed = seconds > 0.2 ? (sent - from) / seconds : 0;
    return { sent: sent, total: total, speed: speed, remaining: speed > 0 ? (total - sent) / speed : null };
  }

  function parseJson(text) { try { return JSON.parse(text) || {}; } catch (e) { return {}; } }

  window.sluisTransport = { send: send };
})();
