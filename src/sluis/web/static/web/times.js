/* Times on the supplier pages: ISO order with the offset (2026-12-05 08:00:00 +01:00), in the
 * data source's time zone when it has one, else in the browser's; the UTC time on hover.
 * The server writes <time data-zone="browser"> for the latter and this script rewrites them.
 * Exposes window.sluisTime.format(value, zone) for the other scripts.
 */
(function () {
  "use strict";
  function parts(date, zone) {
    const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset" };
    if (zone) options.timeZone = zone;
    const found = {};
    new Intl.DateTimeFormat("en-GB", options).formatToParts(date).forEach((p) => { found[p.type] = p.value; });
    return found;
  }
  /* "2026-12-05 08:00:00 +01:00" (or "… UTC"), for a Date, an ISO string or epoch ms. */
  function format(value, zone, style) {
    const date = value instanceof Date ? value : new Date(value);
    if (isNaN(date)) return String(value || "");
    const p = parts(date, zone);
    const day = p.year + "-" + p.month + "-" + p.day;
    if (style === "date") return day;
    const offset = (p.timeZoneName || "GMT").replace("GMT", "") || "+00:00";
    const shown = offset === "+00:00" && (!zone || zone === "UTC") && !isBrowserZone(zone) ? "UTC" : offset;
    return day + " " + p.hour + ":" + p.minute + ":" + p.second + " " + shown;
  }
  function isBrowserZone(zone) { return !zone && Intl.DateTimeFormat().resolvedOptions().timeZone !== "UTC"; }
  function utcTitle(value) {
    const date = new Date(value);
    return isNaN(date) ? "" : date.toISOString().replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");
  }
  function localize(root) {
    (root || document).querySelectorAll("time[data-zone=browser]").forEach((node) => {
      node.textContent = format(node.getAttribute("datetime"), "", node.dataset.style);
      node.removeAttribute("data-zone");
    });
  }
  window.sluisTime = { format: format, utcTitle: utcTitle, localize: localize };
  localize(document);
})();
