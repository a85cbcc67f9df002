/* Previews of a data source's stored data, read from the read-back API with the session:
 * timeseries: a zoomable chart per series (uPlot) from /api/v1/events/?format=json;
 * vector: the features on a map (Leaflet) over a graticule (no tile server is needed or used);
 * raster: PNG previews of the frames with a time slider; files: a thumbnail gallery.
 * Only our own JSON and PNG endpoints are read: user files are never shown inline.
 * Text from the data (names, properties) is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";
  const section = document.getElementById("preview");
  if (!section) return;
  const kind = section.dataset.kind, source = section.dataset.dataSource;
  const statusLine = document.getElementById("preview-status");
  const body = document.getElementById("preview-body");
  const MAX_PAGES = 20, MAX_SERIES = 12;
  const renderers = { timeseries: timeseries, vector: vector, raster: raster, file: files };
  let busy = false;

  function load() {
    if (busy) return;
    busy = true;
    renderers[kind]()
      .catch((error) => say("The stored data could not be loaded: " + error.message))
      .finally(() => { busy = false; });
  }
  document.addEventListener("sluis:data-changed", load);
  load();

  /* ---- API helpers -------------------------------------------------------------------- */
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((response) => {
      if (!response.ok) return response.json().catch(() => ({})).then((b) => { throw new Error(b.detail || "HTTP " + response.status); });
      return response.json();
    });
  }
  /* Every item of a paginated list ({results, next}), a plain list, or a FeatureCollection. */
  function listAll(url, pages) {
    pages = pages || 0;
    return getJson(url).then((json) => {
      const items = itemsOf(json);
      const next = json && !Array.isArray(json) ? json.next : null;
      if (!next || pages + 1 >= MAX_PAGES) return items;
      return listAll(next, pages + 1).then((more) => items.concat(more));
    });
  }
  function itemsOf(json) {
    if (Array.isArray(json)) return json;
    if (!json) return [];
    if (json.type === "FeatureCollection") return json.features || [];
    const results = json.results;
    if (results && results.type === "FeatureCollection") return results.features || [];
    return results || json.events || json.data || json.features || [];
  }
  function query(params) {
    return Object.entries(params).map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v)).join("&");
  }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function say(message) { statusLine.textContent = message; }
  function when(value) {
    const date = new Date(value);
    return isNaN(date) ? String(value || "") : date.toISOString().replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");
  }

  /* ---- timeseries: one zoomable chart per series -------------------------------------- */
  function timeseries() {
    return listAll("/api/v1/timeseries/?" + query({ data_source: source, page_size: 50 })).then((series) => {
      body.replaceChildren();
      if (!series.length) return say("No measurements are stored yet.");
      say(series.length + " series stored" + (series.length > MAX_SERIES ? "; the first " + MAX_SERIES + " are shown." : "."));
      return Promise.all(series.slice(0, MAX_SERIES).map(chart));
    });
  }
  function seriesName(s) {
    const name = [s.location, s.parameter].filter(Boolean).join(" · ") || "Series " + s.id;
    return s.unit ? name + " (" + s.unit + ")" : name;
  }
  /* A long series is first drawn from /events/?view=reduced (the lowest and highest value per
   * bucket, about BUCKETS buckets); each zoom loads the visible window again, raw once it holds
   * at most RAW_LIMIT measurements. So the browser never holds more than ~2 x RAW_LIMIT points. */
  const RAW_LIMIT = 20000, BUCKETS = 2000;
  function chart(s) {
    const figure = el("figure", { class: "chart", "data-series": String(s.id) });
    const caption = el("figcaption", {}, seriesName(s));
    const plot = el("div", { class: "plot" });
    const summary = el("p", { class: "muted chart-summary" });
    figure.append(caption, plot, summary);
    body.append(figure);
    const first = Date.parse(s.first_timestamp) / 1000, last = Date.parse(s.last_timestamp) / 1000;
    const known = isFinite(first) && isFinite(last) && s.count > 0;
    const reduce = known && s.count > RAW_LIMIT;
    const whole = reduce ? { start: first, end: last, bucket: bucketFor(last - first) } : null;
    return getJson(eventsUrl(s, whole)).then((json) => {
      const data = columns(json);
      if (!data[0].length) { summary.textContent = "No measurements."; return; }
      const count = known ? s.count : data[0].length;
      let text = count + " measurements from " + when(data[0][0] * 1000) + " to " + when(data[0][data[0].length - 1] * 1000) + ".";
      if (reduce) text += " Shown as the lowest and highest value per " + duration(whole.bucket) + "; zoom in for more detail.";
      summary.textContent = text + " Drag across the chart to zoom in; double-click or use Reset zoom to zoom out.";
      figure.dataset.detail = reduce ? "reduced" : "raw";
      const onZoom = reduce ? refiner(figure, s, data, count / Math.max(last - first, 1)) : null;
      draw(figure, plot, s, data, onZoom);
    });
  }
  function eventsUrl(s, range) {
    const params = { timeseries_id: s.id, format: "json", sortby: "timestamp a" };
    if (range) {
      if (range.start !== undefined) params.range = isoSeconds(Math.floor(range.start)) + "/" + isoSeconds(Math.ceil(range.end));
      if (range.bucket) Object.assign(params, { view: "reduced", bucket_interval: "PT" + range.bucket + "S" });
      else params.count = RAW_LIMIT;
    }
    return "/api/v1/events/?" + query(params);
  }
  function columns(json) {
    const events = itemsOf(json).map((e) => [Date.parse(e.timestamp) / 1000, numberOr(e.value)])
      .filter((e) => !isNaN(e[0])).sort((a, b) => a[0] - b[0]);
    return [events.map((e) => e[0]), events.map((e) => e[1])];
  }
  function bucketFor(span) { return Math.max(1, Math.ceil(span / BUCKETS)); }
  function isoSeconds(seconds) { return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"); }
  function duration(seconds) {
    const units = [[86400, "day"], [3600, "hour"], [60, "minute"], [1, "second"]];
    const [size, name] = units.find(([unit]) => seconds % unit === 0);
    const n = seconds / size;
    return n + " " + name + (n === 1 ? "" : "s");
  }
  function numberOr(value) {
    const n = typeof value === "number" ? value : parseFloat(value);
    return isFinite(n) ? n : null;
  }
  /* The zoom handler of a reduced chart: load the visible window (debounced; the newest wins). */
  function refiner(figure, s, overview, density) {
    let timer = null, latest = null;
    const xs = overview[0];
    return (u, min, max) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const whole = min <= xs[0] && max >= xs[xs.length - 1];
        const range = whole ? null : { start: min, end: max, bucket: (max - min) * density > RAW_LIMIT ? bucketFor(max - min) : 0 };
        latest = range;
        if (!range) { u.setData(overview, false); figure.dataset.detail = "reduced"; return; }
        getJson(eventsUrl(s, range)).then((json) => {
          if (latest !== range) return;
          u.setData(columns(json), false);
          figure.dataset.detail = range.bucket ? "reduced" : "raw";
        }).catch(() => {});
      }, 250);
    };
  }
  function draw(figure, plot, s, data, onZoom) {
    const xs = data[0];
    let shown = null;
    const width = Math.max(320, Math.min(plot.clientWidth || 800, 1000));
    const zoomed = (u, key) => {
      if (key !== "x" || !onZoom || u.scales.x.min == null) return;
      const now = u.scales.x.min + "/" + u.scales.x.max;
      if (now !== shown) { shown = now; onZoom(u, u.scales.x.min, u.scales.x.max); }
    };
    const u = new uPlot({
      width: width, height: 280,
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false } },
      series: [{ label: "Time (UTC)" }, { label: seriesName(s), stroke: "#1565c0", width: 1.5, points: { show: xs.length < 200 } }],
      axes: [{}, { label: s.unit || "" }],
      hooks: { setScale: [zoomed] },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    }, data, plot);
    shown = u.scales.x.min + "/" + u.scales.x.max;
    figure.uplot = u;
    figure.append(zoomButtons(u, xs[0], xs[xs.length - 1], seriesName(s)));
  }
  /* Zoom for keyboard users: the same scale changes the mouse makes by dragging. */
  function zoomButtons(u, first, last, name) {
    const group = el("div", { class: "zoom", role: "group", "aria-label": "Zoom " + name });
    const zoom = (factor) => {
      const min = u.scales.x.min, max = u.scales.x.max, middle = (min + max) / 2;
      const half = Math.max(((max - min) * factor) / 2, 1);
      u.setScale("x", { min: Math.max(first, middle - half), max: Math.min(last, middle + half) });
    };
    [["Zoom in", () => zoom(0.5)], ["Zoom out", () => zoom(2)], ["Reset zoom", () => u.setScale("x", { min: first, max: last })]]
      .forEach(([text, action]) => {
        const button = el("button", { type: "button", class: "secondary" }, text);
        button.addEventListener("click", action);
        group.append(button);
      });
    return group;
  }

  /* ---- vector: features on a map over a graticule ------------------------------------- */
  let map = null, layer = null;
  function vector() {
    return listAll("/api/v1/features/?" + query({ data_source: source, page_size: 50 })).then((features) => {
      const mapNode = document.getElementById("map");
      if (!features.length) { mapNode.hidden = true; return say("No features are stored yet."); }
      mapNode.hidden = false;
      say(features.length + " feature" + (features.length === 1 ? "" : "s") + " stored. Select a feature to see its properties.");
      if (!map) map = L.map(mapNode, { attributionControl: false, preferCanvas: false, keyboard: true, worldCopyJump: false });
      if (layer) layer.remove();
      layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 6, color: "#0d47a1", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.8 }),
        style: () => ({ color: "#0d47a1", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.3 }),
        onEachFeature: (feature, featureLayer) => featureLayer.bindPopup(() => properties(feature)),
      }).addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.1), { maxZoom: 16 });
      graticule(map);
    });
  }
  function properties(feature) {
    const table = el("table", { class: "props" });
    const props = Object.assign({ id_src: feature.properties && feature.properties.id_src, id: feature.id }, feature.properties || {});
    Object.entries(props).filter(([, v]) => v !== undefined && v !== null).slice(0, 30).forEach(([key, value]) => {
      const row = el("tr");
      row.append(el("th", { scope: "row" }, key), el("td", {}, typeof value === "object" ? JSON.stringify(value) : String(value)));
      table.append(row);
    });
    return table;
  }
  let grid = null;
  function graticule(m) {
    const draw = () => {
      if (grid) grid.remove();
      const b = m.getBounds(), span = Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
      const step = [90, 45, 30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001].find((s) => span / s >= 3) || 0.001;
      const lines = [];
      const west = Math.floor(b.getWest() / step) * step, south = Math.floor(b.getSouth() / step) * step;
      for (let x = west; x <= b.getEast(); x += step) lines.push([[Math.max(-90, b.getSouth() - step), x], [Math.min(90, b.getNorth() + step), x]]);
      for (let y = Math.max(-90, south); y <= Math.min(90, b.getNorth()); y += step) lines.push([[y, b.getWest() - step], [y, b.getEast() + step]]);
      grid = L.polyline(lines, { color: "#b0bec5", weight: 1, interactive: false, dashArray: "2 4" }).addTo(m);
      grid.bringToBack();
    };
    if (m._sluisGrid) m.off("moveend", m._sluisGrid);
    m._sluisGrid = draw;
    m.on("moveend", draw);
    draw();
  }

  /* ---- raster: frame previews with a time slider ------------------------------------- */
  function raster() {
    return listAll("/api/v1/rasters/?" + query({ data_source: source, page_size: 50 })).then((frames) => {
      const box = document.getElementById("raster-preview");
      if (!frames.length) { box.hidden = true; return say("No raster frames are stored yet."); }
      frames.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      const slider = document.getElementById("raster-slider");
      slider.max = String(frames.length - 1);
      slider.value = String(frames.length - 1);
      const show = () => frame(frames[Number(slider.value)], Number(slider.value), frames.length);
      slider.oninput = show;
      box.hidden = false;
      say(frames.length + " frame" + (frames.length === 1 ? "" : "s") + " stored. Move the slider (or use the arrow keys) to go through time.");
      show();
    });
  }
  function frame(f, index, total) {
    const stamp = when(f.timestamp);
    document.getElementById("raster-time").textContent = stamp;
    document.getElementById("raster-slider").setAttribute("aria-valuetext", stamp + ", frame " + (index + 1) + " of " + total);
    const image = document.getElementById("raster-image");
    image.src = (f.links && f.links.preview) || "/api/v1/rasters/" + f.id + "/preview.png";
    image.alt = "Preview of the raster frame at " + stamp;
    const size = f.width && f.height ? f.width + " × " + f.height + " px" : "";
    document.getElementById("raster-caption").textContent = [f.parameter, stamp, size, f.crs].filter(Boolean).join(" · ");
  }

  /* ---- files: thumbnail gallery -------------------------------------------------------- */
  function files() {
    return listAll("/api/v1/files/?" + query({ data_source: source, page_size: 50 })).then((items) => {
      body.replaceChildren();
      if (!items.length) return say("No files are stored yet.");
      say(items.length + " file" + (items.length === 1 ? "" : "s") + " stored.");
      const gallery = el("ul", { class: "gallery" });
      items.forEach((f) => gallery.append(tile(f)));
      body.append(gallery);
    });
  }
  function tile(f) {
    const name = f.original_filename || f.name || "file " + f.id;
    const item = el("li", { class: "tile" });
    const thumb = f.thumbnail_link;
    if (thumb) item.append(el("img", { src: thumb, alt: "Thumbnail of " + name, loading: "lazy", width: "160" }));
    else item.append(el("div", { class: "no-thumb", "aria-hidden": "true" }, (f.format || f.content_type || "file").split("/").pop()));
    const link = f.download_link;
    const caption = el("p", { class: "tile-name" });
    if (link) caption.append(el("a", { href: link, download: "", rel: "noopener noreferrer" }, name));
    else caption.textContent = name;
    item.append(caption, el("p", { class: "muted" }, when(f.timestamp)));
    return item;
  }
})();
