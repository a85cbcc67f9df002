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
  const kind = section.dataset.kind, source = section.dataset.dataSource, zone = section.dataset.zone;
  const statusLine = document.getElementById("preview-status");
  const body = document.getElementById("preview-body");
  const MAX_PAGES = 200, MAX_SERIES = 12, TABLE_ROWS = 50;
  const mapUrl = window.location.pathname.replace(/\/$/, "") + "/map.geojson";
  const number = (n) => Number(n).toLocaleString(document.documentElement.lang || undefined);
  const renderers = { timeseries: timeseries, vector: vector, raster: raster, file: files };
  let busy = false;

  function load() {
    if (busy) return;
    busy = true;
    renderers[kind]()
      .catch((error) => say(interpolate(gettext("The stored data could not be loaded: %(reason)s"), { reason: error.message }, true)))
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
  function when(value) { return window.sluisTime.format(value, zone); }
  /* One page of a paginated list, with the database's count. */
  function firstPage(url) {
    return getJson(url).then((json) => ({ items: itemsOf(json), count: json && json.count !== undefined ? json.count : itemsOf(json).length }));
  }

  /* ---- timeseries: one zoomable chart per series -------------------------------------- */
  /* Every series in a picker (searchable by location or parameter); the MAX_SERIES most
   * recently measured ones are drawn first, so a series just uploaded is always visible. */
  let allSeries = [];
  function timeseries() {
    return listAll("/api/v1/timeseries/?" + query({ data_source: source, page_size: 50 })).then((series) => {
      allSeries = series.slice().sort((a, b) => String(b.last_timestamp).localeCompare(String(a.last_timestamp)));
      const picker = document.getElementById("series-picker");
      if (!series.length) { picker.hidden = true; body.replaceChildren(); return say(gettext("No measurements are stored yet.")); }
      picker.hidden = series.length <= 1;
      fillPicker(allSeries.slice(0, MAX_SERIES).map((s) => String(s.id)));
      return drawChosen();
    });
  }
  function fillPicker(chosen) {
    const choice = document.getElementById("series-choice"), search = document.getElementById("series-search");
    const term = search.value.trim().toLowerCase();
    const keep = chosen || Array.from(choice.selectedOptions).map((o) => o.value);
    choice.replaceChildren(...allSeries.filter((s) => !term || seriesName(s).toLowerCase().includes(term)).map((s) => {
      const option = el("option", { value: String(s.id) }, seriesName(s));
      option.selected = keep.includes(String(s.id));
      return option;
    }));
    if (!search.dataset.bound) {
      search.dataset.bound = "1";
      search.addEventListener("input", () => fillPicker());
      choice.addEventListener("change", () => {
        if (choice.selectedOptions.length > MAX_SERIES) say(interpolate(gettext("Choose at most %(n)s series at a time."), { n: MAX_SERIES }, true));
        else drawChosen();
      });
    }
  }
  function drawChosen() {
    const ids = Array.from(document.getElementById("series-choice").selectedOptions).map((o) => o.value);
    const chosen = allSeries.filter((s) => ids.includes(String(s.id))).slice(0, MAX_SERIES);
    body.replaceChildren();
    say(interpolate(gettext("Showing %(shown)s of %(total)s series. Choose others in the list above."),
      { shown: number(chosen.length), total: number(allSeries.length) }, true));
    return Promise.all(chosen.map(chart));
  }
  function seriesName(s) {
    const name = [s.location, s.parameter].filter(Boolean).join(" · ") || interpolate(gettext("Series %(id)s"), { id: s.id }, true);
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
      if (!data[0].length) { summary.textContent = gettext("No measurements."); return; }
      const count = known ? s.count : data[0].length;
      let text = interpolate(gettext("%(count)s measurements from %(first)s to %(last)s."),
        { count: number(count), first: when(data[0][0] * 1000), last: when(data[0][data[0].length - 1] * 1000) }, true);
      if (reduce) text += " " + interpolate(gettext("Shown as the lowest and highest value per %(bucket)s; zoom in for more detail."), { bucket: duration(whole.bucket) }, true);
      summary.textContent = text + " " + gettext("Drag across the chart to zoom in; double-click or use Reset zoom to zoom out.");
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
    const units = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]];
    const [size, unit] = units.find(([u]) => seconds % u === 0);
    const n = seconds / size;
    const names = { d: ngettext("%s day", "%s days", n), h: ngettext("%s hour", "%s hours", n), m: ngettext("%s minute", "%s minutes", n), s: ngettext("%s second", "%s seconds", n) };
    return interpolate(names[unit], [n]);
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
      series: [{ label: interpolate(gettext("Time (%(zone)s)"), { zone: zone || Intl.DateTimeFormat().resolvedOptions().timeZone }, true), value: (u, v) => (v == null ? "—" : when(v * 1000)) },
        { label: seriesName(s), stroke: "#1565c0", width: 1.5, points: { show: xs.length < 200 } }],
      axes: [{ values: isoAxis }, { label: s.unit || "" }],
      hooks: { setScale: [zoomed] },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone || Intl.DateTimeFormat().resolvedOptions().timeZone),
    }, data, plot);
    shown = u.scales.x.min + "/" + u.scales.x.max;
    figure.uplot = u;
    figure.append(zoomButtons(u, xs[0], xs[xs.length - 1], seriesName(s)));
  }
  /* Axis labels in ISO order (2026-01-05, 08:00), never US month/day. */
  function isoAxis(u, splits, axisIdx, space, incr) {
    const tz = zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
    const axisDay = uPlot.fmtDate("{YYYY}-{MM}-{DD}"), axisTime = uPlot.fmtDate("{HH}:{mm}");
    return splits.map((v, i) => {
      const day = axisDay(uPlot.tzDate(new Date(v * 1000), tz)), time = axisTime(uPlot.tzDate(new Date(v * 1000), tz));
      if (incr >= 86400) return day;
      const prev = i > 0 ? axisDay(uPlot.tzDate(new Date(splits[i - 1] * 1000), tz)) : null;
      return prev === day ? time : time + "\n" + day;
    });
  }
  /* Zoom for keyboard users: the same scale changes the mouse makes by dragging. */
  function zoomButtons(u, first, last, name) {
    const group = el("div", { class: "zoom", role: "group", "aria-label": interpolate(gettext("Zoom %(name)s"), { name: name }, true) });
    const zoom = (factor) => {
      const min = u.scales.x.min, max = u.scales.x.max, middle = (min + max) / 2;
      const half = Math.max(((max - min) * factor) / 2, 1);
      u.setScale("x", { min: Math.max(first, middle - half), max: Math.min(last, middle + half) });
    };
    [[gettext("Zoom in"), () => zoom(0.5)], [gettext("Zoom out"), () => zoom(2)], [gettext("Reset zoom"), () => u.setScale("x", { min: first, max: last })]]
      .forEach(([text, action]) => {
        const button = el("button", { type: "button", class: "secondary" }, text);
        button.addEventListener("click", action);
        group.append(button);
      });
    return group;
  }

  /* ---- maps: basemap (configured XYZ tiles, else the bundled outline), scale, coordinates ---- */
  let map = null, layer = null, outline = null;
  function baseMap(node) {
    if (map) return map;
    map = L.map(node, { attributionControl: true, keyboard: true, worldCopyJump: false });
    map.attributionControl.setPrefix(false);
    const tiles = section.dataset.tileUrl;
    if (tiles) {
      const tileLayer = L.tileLayer(tiles, { attribution: section.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
      let failed = 0;
      tileLayer.on("tileerror", () => { if (++failed === 3) drawOutline(); });
    } else {
      drawOutline();
    }
    L.control.scale({ metric: true, imperial: false }).addTo(map);
    const coords = document.getElementById("map-coords");
    map.on("mousemove", (e) => {
      coords.textContent = interpolate(gettext("Cursor: latitude %(lat)s, longitude %(lon)s (WGS84)"),
        { lat: e.latlng.lat.toFixed(5), lon: e.latlng.lng.toFixed(5) }, true);
    });
    return map;
  }
  /* Natural Earth 1:110m countries (public domain), bundled: the data is never on a blank canvas. */
  function drawOutline() {
    if (outline) return;
    outline = true;
    getJson(section.dataset.outline).then((topo) => {
      const countries = topojson.feature(topo, topo.objects.countries);
      outline = L.geoJSON(countries, { interactive: false, style: { color: "#90a4ae", weight: 1, fillColor: "#eceff1", fillOpacity: 1 } }).addTo(map);
      outline.bringToBack();
      map.attributionControl.addAttribution(gettext("Outline: Natural Earth"));
    }).catch(() => {});
  }

  /* ---- vector: every feature on the map (simplified/clustered by the server) + a table ---- */
  function vector() {
    return getJson(mapUrl).then((collection) => {
      const wrap = document.getElementById("map-wrap");
      body.replaceChildren();
      if (!collection.total) { wrap.hidden = true; return say(gettext("No features are stored yet.")); }
      wrap.hidden = false;
      let text = interpolate(ngettext("%(total)s feature stored.", "%(total)s features stored.", collection.total), { total: number(collection.total) }, true);
      if (collection.clustered) text += " " + interpolate(gettext("The map shows them grouped into clusters (each with its count); %(shown)s lines and areas are drawn one by one."), { shown: number(collection.shown) }, true);
      else text += " " + interpolate(gettext("The map shows %(shown)s of %(total)s (features without a geometry are not drawn)."), { shown: number(collection.shown), total: number(collection.total) }, true);
      if (collection.simplified) text += " " + gettext("Lines and areas are simplified for drawing.");
      say(text);
      const m = baseMap(document.getElementById("map"));
      if (layer) layer.remove();
      layer = L.geoJSON(collection, {
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, clusterStyle(feature)),
        style: () => ({ color: "#0d47a1", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.3 }),
        onEachFeature: (feature, featureLayer) => featureLayer.bindTooltip(label(feature)),
      }).addTo(m);
      const bounds = layer.getBounds();
      if (bounds.isValid()) m.fitBounds(bounds.pad(0.1), { maxZoom: 16 });
      graticule(m);
      return attributeTable(collection.total, 1);
    });
  }
  function clusterStyle(feature) {
    const n = feature.properties && feature.properties.cluster;
    const radius = n ? Math.min(4 + Math.log2(n) * 2, 20) : 6;
    return { radius: radius, color: "#0d47a1", weight: 2, fillColor: n ? "#ffb300" : "#42a5f5", fillOpacity: 0.8 };
  }
  function label(feature) {
    const p = feature.properties || {};
    return p.cluster ? interpolate(gettext("%(n)s features"), { n: number(p.cluster) }, true) : String(p.id_src ?? feature.id);
  }
  /* The attribute table: every feature's properties, a page at a time from /features/. */
  function attributeTable(total, page) {
    return getJson("/api/v1/features/?" + query({ data_source: source, page_size: TABLE_ROWS, page: page })).then((json) => {
      const features = itemsOf(json);
      const keys = Array.from(new Set(features.flatMap((f) => Object.keys(f.properties || {})))).filter((k) => k !== "id_src").slice(0, 12);
      const figure = el("div", { class: "attributes" });
      figure.append(el("h3", { id: "attributes-heading" }, gettext("Attribute table")));
      const first = (page - 1) * TABLE_ROWS + 1;
      figure.append(el("p", { id: "attributes-count" }, interpolate(gettext("Features %(first)s–%(last)s of %(total)s"),
        { first: number(first), last: number(first + features.length - 1), total: number(json.count ?? total) }, true)));
      const box = el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "attributes-heading" });
      const table = el("table", { class: "list" });
      const head = el("tr");
      [gettext("Feature id")].concat(keys).forEach((k) => head.append(el("th", { scope: "col" }, k)));
      table.append(el("thead"), el("tbody"));
      table.tHead.append(head);
      features.forEach((f) => {
        const row = el("tr");
        row.append(el("th", { scope: "row" }, String((f.properties && f.properties.id_src) ?? f.id)));
        keys.forEach((k) => { const v = (f.properties || {})[k]; row.append(el("td", {}, v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v))); });
        table.tBodies[0].append(row);
      });
      box.append(table);
      figure.append(box, pager(page, json.previous, json.next, (p) => attributeTable(total, p)));
      const old = body.querySelector(".attributes");
      if (old) old.replaceWith(figure); else body.append(figure);
    });
  }
  function pager(page, previous, next, go) {
    const nav = el("div", { class: "pager" });
    if (previous) { const b = el("button", { type: "button", class: "secondary" }, gettext("Previous page")); b.addEventListener("click", () => go(page - 1)); nav.append(b); }
    if (next) { const b = el("button", { type: "button", class: "secondary" }, gettext("Next page")); b.addEventListener("click", () => go(page + 1)); nav.append(b); }
    return nav;
  }
  let grid = null;
  function graticule(m) {
    const draw = () => {
      if (grid) grid.remove();
      const b = m.getBounds(), span = Math.max(b.getEast() - b.getWest(), b.getNorth() - b.getSouth());
      const step = [90, 45, 30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001].find((s) => span / s >= 3) || 0.001;
      const lines = [], labels = [];
      const west = Math.floor(b.getWest() / step) * step, south = Math.floor(b.getSouth() / step) * step;
      const digits = Math.max(0, -Math.floor(Math.log10(step)));
      for (let x = west; x <= b.getEast(); x += step) {
        lines.push([[Math.max(-90, b.getSouth() - step), x], [Math.min(90, b.getNorth() + step), x]]);
        labels.push(L.marker([b.getSouth(), x], { interactive: false, keyboard: false, icon: L.divIcon({ className: "grid-label", html: "", iconSize: null }) }).bindTooltip(x.toFixed(digits) + "°", { permanent: true, direction: "top", className: "grid-label" }));
      }
      for (let y = Math.max(-90, south); y <= Math.min(90, b.getNorth()); y += step) {
        lines.push([[y, b.getWest() - step], [y, b.getEast() + step]]);
        labels.push(L.marker([y, b.getWest()], { interactive: false, keyboard: false, icon: L.divIcon({ className: "grid-label", html: "", iconSize: null }) }).bindTooltip(y.toFixed(digits) + "°", { permanent: true, direction: "right", className: "grid-label" }));
      }
      grid = L.layerGroup([L.polyline(lines, { color: "#b0bec5", weight: 1, interactive: false, dashArray: "2 4" })].concat(labels)).addTo(m);
    };
    if (m._sluisGrid) m.off("moveend", m._sluisGrid);
    m._sluisGrid = draw;
    m.on("moveend", draw);
    draw();
  }

  /* ---- raster: frame previews with a time slider, a legend and the value range ---------- */
  function raster() {
    return listAll("/api/v1/rasters/?" + query({ data_source: source, page_size: 50 })).then((frames) => {
      const box = document.getElementById("raster-preview");
      if (!frames.length) { box.hidden = true; return say(gettext("No raster frames are stored yet.")); }
      frames.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
      const slider = document.getElementById("raster-slider");
      slider.max = String(frames.length - 1);
      slider.value = String(frames.length - 1);
      const show = () => frame(frames[Number(slider.value)], Number(slider.value), frames.length);
      slider.oninput = show;
      box.hidden = false;
      say(interpolate(ngettext("%(n)s frame stored. Move the slider (or use the arrow keys) to go through time.", "%(n)s frames stored. Move the slider (or use the arrow keys) to go through time.", frames.length), { n: number(frames.length) }, true));
      show();
    });
  }
  function frame(f, index, total) {
    const stamp = when(f.timestamp);
    document.getElementById("raster-time").textContent = stamp;
    document.getElementById("raster-slider").setAttribute("aria-valuetext", interpolate(gettext("%(time)s, frame %(n)s of %(total)s"), { time: stamp, n: index + 1, total: total }, true));
    const image = document.getElementById("raster-image");
    image.src = (f.links && f.links.preview) || "/api/v1/rasters/" + f.id + "/preview.png";
    image.alt = interpolate(gettext("Preview of the raster frame at %(time)s"), { time: stamp }, true);
    const size = f.width && f.height ? f.width + " × " + f.height + " px" : "";
    document.getElementById("raster-caption").textContent = [f.parameter, stamp, size, f.crs].filter(Boolean).join(" · ");
    legend(f);
  }
  /* The preview's colour scale (viridis, low to high) with the frame's value range and unit. */
  function legend(f) {
    const box = document.getElementById("raster-legend");
    const unit = section.dataset.unit || "";
    const value = (v) => (v == null ? "—" : Number(v).toLocaleString(document.documentElement.lang || undefined, { maximumSignificantDigits: 4 }) + (unit ? " " + unit : ""));
    box.replaceChildren(
      el("p", { class: "legend-title" }, gettext("Colour scale") + (unit ? " (" + unit + ")" : "")),
      el("div", { class: "legend-ramp", role: "img", "aria-label": interpolate(gettext("Colours from dark purple (%(min)s) to yellow (%(max)s)"), { min: value(f.min), max: value(f.max) }, true) }),
      el("p", { class: "legend-range" }, interpolate(gettext("minimum %(min)s · mean %(mean)s · maximum %(max)s"), { min: value(f.min), mean: value(f.mean), max: value(f.max) }, true)),
    );
  }

  /* ---- files: thumbnail gallery, enlargeable photos, their places on the map ------------- */
  function files() {
    return firstPage("/api/v1/files/?" + query({ data_source: source, page_size: 50 })).then((page) => {
      const items = page.items;
      body.replaceChildren();
      const wrap = document.getElementById("map-wrap");
      if (!items.length) { wrap.hidden = true; return say(gettext("No files are stored yet.")); }
      say(page.count > items.length
        ? interpolate(gettext("%(total)s files stored; showing the newest %(shown)s."), { total: number(page.count), shown: number(items.length) }, true)
        : interpolate(ngettext("%(total)s file stored.", "%(total)s files stored.", page.count), { total: number(page.count) }, true));
      const gallery = el("ul", { class: "gallery" });
      items.forEach((f) => gallery.append(tile(f)));
      body.append(gallery);
      placesOnMap(items.filter((f) => f.location), wrap);
    });
  }
  function tile(f) {
    const name = f.original_filename || f.name || "file " + f.id;
    const item = el("li", { class: "tile", id: "file-" + f.id });
    const thumb = f.thumbnail_link;
    if (thumb) {
      const button = el("button", { type: "button", class: "enlarge", "aria-label": interpolate(gettext("Enlarge %(name)s"), { name: name }, true) });
      button.append(el("img", { src: thumb, alt: "", loading: "lazy", width: "160" }));
      button.addEventListener("click", () => enlarge(f, name));
      item.append(button);
    } else item.append(el("div", { class: "no-thumb", "aria-hidden": "true" }, (f.format || f.content_type || "file").split("/").pop()));
    const link = f.download_link;
    const caption = el("p", { class: "tile-name" });
    if (link) caption.append(el("a", { href: link, download: "", rel: "noopener noreferrer" }, name));
    else caption.textContent = name;
    item.append(caption, el("p", { class: "muted" }, when(f.timestamp)));
    if (f.location) {
      const [lon, lat] = f.location.coordinates;
      item.append(el("p", { class: "muted place" }, interpolate(gettext("Taken at %(lat)s, %(lon)s"), { lat: lat.toFixed(5), lon: lon.toFixed(5) }, true)));
    }
    return item;
  }
  /* A larger view in a modal <dialog> (Escape closes it): the thumbnail at its full size. */
  function enlarge(f, name) {
    const dialog = el("dialog", { class: "photo", "aria-label": name });
    const close = el("button", { type: "button", class: "secondary" }, gettext("Close"));
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => dialog.remove());
    const img = el("img", { src: f.thumbnail_link.replace(/([?&])size=\d+/, "$1size=1024"), alt: interpolate(gettext("Photo %(name)s"), { name: name }, true) });
    dialog.append(el("p", {}, name + " · " + when(f.timestamp)), img, close);
    document.body.append(dialog);
    dialog.showModal();
    close.focus();
  }
  function placesOnMap(located, wrap) {
    if (!located.length) { wrap.hidden = true; return; }
    wrap.hidden = false;
    const m = baseMap(document.getElementById("map"));
    if (layer) layer.remove();
    layer = L.featureGroup(located.map((f) => L.circleMarker([f.location.coordinates[1], f.location.coordinates[0]], clusterStyle({}))
      .bindTooltip(f.original_filename || f.name))).addTo(m);
    m.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 14 });
  }
})();
