// Draws each panel from its query results (the JSON spec beside it): uPlot for time series, plain
// HTML/SVG for the rest. Every drawn chart records what it drew in data attributes (data-drawn,
// data-series, data-values) so that tests, and curious reviewers, can compare it with the query result.
"use strict";

const PALETTE = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#705da0", "#37872d", "#fade2a"];

// ---- values and units ---------------------------------------------------------------------------

const SI = [[1e12, " T"], [1e9, " B"], [1e6, " M"], [1e3, " K"]];
const DURATIONS = [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]];
const BYTES = [[1024 ** 4, " TiB"], [1024 ** 3, " GiB"], [1024 ** 2, " MiB"], [1024, " KiB"]];

function fixed(value, decimals) {
  if (decimals !== null && decimals !== undefined) return value.toFixed(decimals);
  const abs = Math.abs(value);
  const places = abs >= 100 || Number.isInteger(value) ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(places)));
}

function scaled(value, steps, decimals, fallback) {
  for (const [size, suffix] of steps) {
    if (Math.abs(value) >= size) return fixed(value / size, decimals) + suffix;
  }
  return fixed(value, decimals) + fallback;
}

function formatValue(value, unit, decimals) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value !== "number") return String(value);
  switch (unit) {
    case "percent": return fixed(value, decimals) + "%";
    case "percentunit": return fixed(value * 100, decimals) + "%";
    case "s": return scaled(value, DURATIONS, decimals, " s").replace(/(\d)(min|h|d|s)$/, "$1 $2");
    case "ms": return Math.abs(value) >= 1000 ? formatValue(value / 1000, "s", decimals) : fixed(value, decimals) + " ms";
    case "bytes": return scaled(value, BYTES, decimals, " B");
    case "decbytes": return scaled(value, [[1e9, " GB"], [1e6, " MB"], [1e3, " kB"]], decimals, " B");
    case "reqps": return fixed(value, decimals) + " req/s";
    case "ops": return fixed(value, decimals) + " ops/s";
    case "dateTimeAsIso": return new Date(value).toISOString().replace("T", " ").slice(0, 19);
    case "":
    case "none":
    case "short": return scaled(value, SI, decimals, "");
    default:
      if (unit.startsWith("suffix:")) return fixed(value, decimals) + unit.slice(7);
      if (unit.startsWith("prefix:")) return unit.slice(7) + fixed(value, decimals);
      return fixed(value, decimals) + " " + unit;
  }
}

function thresholdColour(spec, value) {
  let colour = spec.thresholds.length ? spec.thresholds[0].color : PALETTE[0];
  for (const step of spec.thresholds) {
    if (step.value === null || (typeof value === "number" && value >= step.value)) colour = step.color || colour;
  }
  return colour;
}

// ---- frames -> fields and series ----------------------------------------------------------------

function timeIndex(frame) {
  const named = frame.columns.findIndex((c) => c.name === "time");
  return named >= 0 ? named : frame.columns.findIndex((c) => c.kind === "time");
}

// Time series as Grafana's SQL data source makes them: one per numeric column, split by the values of
// the string columns (the "metric" column of a long frame).
function timeSeries(frames) {
  const series = new Map();
  for (const frame of frames) {
    const t = timeIndex(frame);
    if (t < 0) continue;
    const labels = frame.columns.map((c, i) => (c.kind === "string" ? i : -1)).filter((i) => i >= 0);
    const values = frame.columns.map((c, i) => (c.kind === "number" && i !== t ? i : -1)).filter((i) => i >= 0);
    for (const row of frame.rows) {
      const label = labels.map((i) => String(row[i])).join(" ");
      for (const v of values) {
        const name = label ? (values.length > 1 ? `${label} ${frame.columns[v].name}` : label) : frame.columns[v].name;
        if (!series.has(name)) series.set(name, []);
        series.get(name).push([row[t], row[v]]);
      }
    }
  }
  return [...series].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

const CALCS = {
  lastNotNull: (xs) => { const v = xs.filter((x) => x !== null); return v.length ? v[v.length - 1] : null; },
  last: (xs) => (xs.length ? xs[xs.length - 1] : null),
  firstNotNull: (xs) => xs.find((x) => x !== null) ?? null,
  first: (xs) => (xs.length ? xs[0] : null),
  sum: (xs) => xs.reduce((a, x) => a + (x ?? 0), 0),
  mean: (xs) => { const v = xs.filter((x) => x !== null); return v.length ? v.reduce((a, x) => a + x, 0) / v.length : null; },
  max: (xs) => { const v = xs.filter((x) => x !== null); return v.length ? Math.max(...v) : null; },
  min: (xs) => { const v = xs.filter((x) => x !== null); return v.length ? Math.min(...v) : null; },
  count: (xs) => xs.length,
};

// The values a stat, gauge, bar gauge or pie shows: one per row with reduceOptions.values, else each
// numeric field reduced with the panel's calculation (lastNotNull by default).
function reducedValues(spec) {
  const reduce = spec.options.reduceOptions || {};
  const calc = CALCS[(reduce.calcs || [])[0]] || CALCS.lastNotNull;
  const pattern = typeof reduce.fields === "string" && reduce.fields.startsWith("/") ? new RegExp(reduce.fields.slice(1, reduce.fields.lastIndexOf("/"))) : null;
  const out = [];
  // A frame without rows reduces to nothing: Grafana shows "No data" rather than an empty value.
  for (const frame of spec.frames.filter((f) => !f.error && f.rows.length)) {
    const t = timeIndex(frame);
    const label = frame.columns.findIndex((c) => c.kind === "string");
    const numeric = frame.columns.map((c, i) => (c.kind === "number" && i !== t && (!pattern || pattern.test(c.name)) ? i : -1)).filter((i) => i >= 0);
    if (reduce.values) {
      for (const row of frame.rows) {
        for (const i of numeric) {
          const name = label >= 0 ? String(row[label]) : frame.columns[i].name;
          out.push({ name: numeric.length > 1 && label >= 0 ? `${name} ${frame.columns[i].name}` : name, value: row[i] });
        }
      }
    } else if (t >= 0 && label >= 0) {
      for (const s of timeSeries([frame])) out.push({ name: s.name, value: calc(s.points.map((p) => p[1])) });
    } else {
      for (const i of numeric) out.push({ name: frame.columns[i].name, value: calc(frame.rows.map((r) => r[i])) });
    }
  }
  const limit = reduce.limit || 5000;
  return out.slice(0, limit);
}

// ---- drawing ------------------------------------------------------------------------------------

function el(tag, attrs = {}, text = null) {
  const node = tag.startsWith("svg:") ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function drawTimeSeries(box, spec) {
  const series = timeSeries(spec.frames);
  if (!series.length) return false;
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  let ys = series.map((s) => {
    const ys = new Array(xs.length).fill(null);
    for (const [x, y] of s.points) ys[index.get(x)] = y;
    return ys;
  });
  const stacked = spec.custom.stacking && spec.custom.stacking.mode && spec.custom.stacking.mode !== "none";
  if (stacked) {
    const running = new Array(xs.length).fill(0);
    ys = ys.map((row) => row.map((y, i) => (running[i] += y ?? 0)));
    box.dataset.stackedLast = JSON.stringify(ys.map((row) => row[row.length - 1]));  // each band's top, last point
  }
  const bars = spec.type === "barchart" || spec.custom.drawStyle === "bars";
  const fill = (spec.custom.fillOpacity ?? (stacked ? 40 : 10)) / 100;
  const width = Math.max(box.clientWidth, 120);
  const legend = series.length <= 8;
  const height = Math.max(box.clientHeight - (legend ? 28 : 4), 50);
  const opts = {
    width, height,
    legend: { show: legend, live: false },
    cursor: { show: false },
    scales: { x: { time: true } },
    axes: [
      { stroke: "#9fa7b3", grid: { stroke: "#2a2d33" }, ticks: { stroke: "#2a2d33" }, font: "10px sans-serif" },
      { stroke: "#9fa7b3", grid: { stroke: "#2a2d33" }, ticks: { stroke: "#2a2d33" }, font: "10px sans-serif", size: 70,
        values: (u, splits) => {
          const labels = splits.map((v) => formatValue(v, spec.unit, spec.decimals));
          box.dataset.yTicks = JSON.stringify(labels);  // the unit on the axis, readable outside the canvas
          return labels;
        } },
    ],
  };
  let lines = series.map((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const line = {
      label: s.name, stroke: colour, width: spec.custom.lineWidth ?? 1,
      fill: colour + Math.round(fill * 255).toString(16).padStart(2, "0"),
      points: { show: false }, spanGaps: true,  // series of several frames join on one time axis: bridge the gaps that join makes
    };
    if (bars) line.paths = uPlot.paths.bars({ size: [0.8, 40] });
    return line;
  });
  // Stacked: running totals, drawn top band first so each lower band paints over the one above.
  if (stacked) { lines = lines.reverse(); ys = ys.slice().reverse(); }
  // An alert rule's threshold: a dashed red line across the range.
  const threshold = spec.options.thresholdLine;
  if (typeof threshold === "number") {
    lines.push({ label: `threshold ${formatValue(threshold, spec.unit, spec.decimals)}`, stroke: "#f2495c", width: 1, dash: [6, 4], points: { show: false } });
    ys = ys.concat([xs.map(() => threshold)]);
  }
  opts.series = [{}].concat(lines);
  const data = [xs.map((x) => x / 1000)].concat(ys);
  new uPlot(opts, data, box);
  box.dataset.series = JSON.stringify(series.map((s) => ({ name: s.name, points: s.points.length, last: s.points.length ? s.points[s.points.length - 1][1] : null })));
  return true;
}

function drawCategoryBars(box, spec) {
  // A bar chart over categories (a string column): one group of bars per row.
  const frame = spec.frames.find((f) => !f.error && f.rows.length);
  const label = frame ? frame.columns.findIndex((c) => c.kind !== "number") : -1;
  if (!frame || label < 0) return false;
  const numeric = frame.columns.map((c, i) => (c.kind === "number" ? i : -1)).filter((i) => i >= 0);
  const max = Math.max(...frame.rows.flatMap((r) => numeric.map((i) => r[i] ?? 0)), 1e-9);
  const width = Math.max(box.clientWidth, 120), height = Math.max(box.clientHeight - 18, 60);
  const svg = el("svg:svg", { width, height: height + 16, class: "bars" });
  const slot = width / frame.rows.length;
  frame.rows.forEach((row, r) => {
    numeric.forEach((i, k) => {
      const h = ((row[i] ?? 0) / max) * height;
      const w = (slot * 0.8) / numeric.length;
      svg.append(el("svg:rect", { x: r * slot + slot * 0.1 + k * w, y: height - h, width: Math.max(w - 1, 1), height: h, fill: PALETTE[k % PALETTE.length] }));
    });
    if (slot > 30) svg.append(el("svg:text", { x: r * slot + slot / 2, y: height + 12, "text-anchor": "middle", class: "tick" }, String(row[label]).slice(0, 12)));
  });
  box.append(svg);
  box.dataset.series = JSON.stringify(numeric.map((i) => ({ name: frame.columns[i].name, points: frame.rows.length, last: frame.rows[frame.rows.length - 1][i] })));
  return true;
}

function drawStat(box, spec) {
  const values = reducedValues(spec);
  if (!values.length) return false;
  const wrap = el("div", { class: "stat-values" });
  for (const { name, value } of values) {
    const cell = el("div", { class: "stat-value", style: `color: ${thresholdColour(spec, value)}` });
    cell.append(el("span", { class: "stat-number" }, formatValue(value, spec.unit, spec.decimals)));
    if (values.length > 1) cell.append(el("span", { class: "stat-name" }, name));
    wrap.append(cell);
  }
  box.append(wrap);
  box.dataset.values = JSON.stringify(values.map((v) => v.value));
  return true;
}

function gaugeRange(spec, values) {
  const steps = spec.thresholds.map((s) => s.value).filter((v) => typeof v === "number");
  const min = spec.min ?? 0;
  const max = spec.max ?? (spec.unit === "percentunit" ? 1 : spec.unit === "percent" ? 100 : Math.max(...values.map((v) => v.value ?? 0), ...steps, 1));
  return [min, max];
}

function drawGauge(box, spec) {
  const values = reducedValues(spec);
  if (!values.length) return false;
  const [min, max] = gaugeRange(spec, values);
  const wrap = el("div", { class: "stat-values" });
  for (const { value } of values) {
    const size = Math.min(box.clientWidth / values.length, box.clientHeight * 1.6, 220);
    const r = size / 2 - 8, cx = size / 2, cy = size / 2;
    const fraction = Math.min(Math.max(((value ?? min) - min) / (max - min || 1), 0), 1);
    const arc = (f) => { const a = Math.PI * (1 - f); return `${cx + r * Math.cos(a)} ${cy - r * Math.sin(a)}`; };
    const svg = el("svg:svg", { width: size, height: size / 2 + 24 });
    svg.append(el("svg:path", { d: `M ${arc(0)} A ${r} ${r} 0 0 1 ${arc(1)}`, stroke: "#2a2d33", "stroke-width": 12, fill: "none" }));
    svg.append(el("svg:path", { d: `M ${arc(0)} A ${r} ${r} 0 0 1 ${arc(fraction)}`, stroke: thresholdColour(spec, value), "stroke-width": 12, fill: "none" }));
    svg.append(el("svg:text", { x: cx, y: cy + 4, "text-anchor": "middle", class: "gauge-text", fill: thresholdColour(spec, value) }, formatValue(value, spec.unit, spec.decimals)));
    wrap.append(svg);
  }
  box.append(wrap);
  box.dataset.values = JSON.stringify(values.map((v) => v.value));
  return true;
}

function drawBarGauge(box, spec) {
  const values = reducedValues(spec);
  if (!values.length) return false;
  const max = spec.max ?? Math.max(...values.map((v) => v.value ?? 0), 1e-9);
  const list = el("div", { class: "bargauge" });
  for (const { name, value } of values) {
    const row = el("div", { class: "bargauge-row" });
    row.append(el("span", { class: "bargauge-name", title: name }, name));
    const track = el("span", { class: "bargauge-track" });
    track.append(el("span", { class: "bargauge-bar", style: `width: ${Math.max(((value ?? 0) / max) * 100, 0)}%; background: ${thresholdColour(spec, value)}` }));
    row.append(track, el("span", { class: "bargauge-value" }, formatValue(value, spec.unit, spec.decimals)));
    list.append(row);
  }
  box.append(list);
  box.dataset.values = JSON.stringify(values.map((v) => v.value));
  return true;
}

function drawPie(box, spec) {
  const values = reducedValues(spec).filter((v) => typeof v.value === "number" && v.value > 0);
  if (!values.length) return false;
  const total = values.reduce((a, v) => a + v.value, 0);
  const size = Math.max(Math.min(box.clientWidth * 0.55, box.clientHeight - 6), 40);
  const r = size / 2, donut = spec.options.pieType === "donut";
  const svg = el("svg:svg", { width: size, height: size });
  let angle = -Math.PI / 2;
  values.forEach((v, i) => {
    const sweep = (v.value / total) * Math.PI * 2;
    const end = angle + sweep;
    const large = sweep > Math.PI ? 1 : 0;
    const path = values.length === 1
      ? `M ${r} 0 A ${r} ${r} 0 1 1 ${r - 0.01} 0 Z`
      : `M ${r} ${r} L ${r + r * Math.cos(angle)} ${r + r * Math.sin(angle)} A ${r} ${r} 0 ${large} 1 ${r + r * Math.cos(end)} ${r + r * Math.sin(end)} Z`;
    svg.append(el("svg:path", { d: path, fill: PALETTE[i % PALETTE.length] }));
    angle = end;
  });
  if (donut) svg.append(el("svg:circle", { cx: r, cy: r, r: r * 0.55, fill: "var(--panel)" }));
  const legend = el("ul", { class: "pie-legend" });
  values.forEach((v, i) => {
    const item = el("li");
    item.append(el("span", { class: "swatch", style: `background: ${PALETTE[i % PALETTE.length]}` }), document.createTextNode(` ${v.name}: ${formatValue(v.value, spec.unit, spec.decimals)}`));
    legend.append(item);
  });
  const wrap = el("div", { class: "pie" });
  wrap.append(svg, legend);
  box.append(wrap);
  box.dataset.values = JSON.stringify(values.map((v) => v.value));
  return true;
}

function drawTable(box, spec) {
  const frame = spec.frames.find((f) => !f.error);
  if (!frame || !frame.rows.length) return false;
  const table = el("table", { class: "data-table" });
  const head = el("tr");
  for (const c of frame.columns) head.append(el("th", {}, c.name));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const row of frame.rows.slice(0, 200)) {
    const tr = el("tr");
    row.forEach((v, i) => {
      const kind = frame.columns[i].kind;
      const text = kind === "time" ? formatValue(v, "dateTimeAsIso") : kind === "number" ? formatValue(v, spec.unit, spec.decimals) : v === null ? "" : String(v);
      tr.append(el("td", { class: kind }, text));
    });
    body.append(tr);
  }
  table.append(body);
  box.append(table);
  box.dataset.rows = String(frame.rows.length);
  box.dataset.columns = JSON.stringify(frame.columns.map((c) => c.name));
  return true;
}

function drawHeatmap(box, spec) {
  // Rows are y buckets (a string or number column), columns x (time or the first column), cells a value.
  const frame = spec.frames.find((f) => !f.error && f.rows.length);
  if (!frame || frame.columns.length < 3) return false;
  const [xi, yi, vi] = [0, 1, 2];
  const xs = [...new Set(frame.rows.map((r) => r[xi]))], ys = [...new Set(frame.rows.map((r) => r[yi]))];
  const max = Math.max(...frame.rows.map((r) => r[vi] ?? 0), 1e-9);
  const w = box.clientWidth / xs.length, h = (box.clientHeight - 4) / ys.length;
  const svg = el("svg:svg", { width: box.clientWidth, height: box.clientHeight - 4 });
  for (const r of frame.rows) {
    svg.append(el("svg:rect", { x: xs.indexOf(r[xi]) * w, y: ys.indexOf(r[yi]) * h, width: w, height: h, fill: "#f2495c", "fill-opacity": (r[vi] ?? 0) / max }));
  }
  box.append(svg);
  box.dataset.values = JSON.stringify(frame.rows.map((r) => r[vi]));
  return true;
}

function drawText(box, spec) {
  const content = spec.options.content || "";
  const text = el("div", { class: "text-panel" });
  for (const paragraph of content.split(/\n\s*\n/)) text.append(el("p", {}, paragraph.replace(/^#+\s*/, "").trim()));
  box.append(text);
  return true;
}

const DRAWERS = {
  timeseries: drawTimeSeries,
  barchart: (box, spec) => drawTimeSeries(box, spec) || drawCategoryBars(box, spec),
  stat: drawStat,
  gauge: drawGauge,
  bargauge: drawBarGauge,
  piechart: drawPie,
  table: drawTable,
  heatmap: drawHeatmap,
  text: drawText,
};

function drawChart(box) {
  const spec = JSON.parse(box.querySelector("script.chart-spec").textContent);
  const errors = spec.frames.filter((f) => f.error).map((f) => `${f.refId}: ${f.error}`);
  let drawn = false;
  try {
    drawn = DRAWERS[spec.type](box, spec);
  } catch (error) {
    errors.push(`chart: ${error.message}`);
  }
  if (drawn) {
    box.dataset.drawn = spec.type;
    box.dataset.state = "ok";
  } else {
    box.dataset.state = errors.length ? "error" : "nodata";
    box.append(el("div", { class: errors.length ? "chart-error" : "chart-nodata", "data-testid": "chart-message" }, errors.length ? errors.join("; ") : "No data"));
  }
}

document.querySelectorAll(".chart").forEach(drawChart);
