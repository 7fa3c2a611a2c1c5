// A time-series line chart in hand-written SVG, with marks under the time axis, a hover and
// keyboard read-out, redrawn to the width of its box.

import { el, svg } from "./dom.js";

const MIN_SPAN_MS = 20000;
const MARGIN = { top: 14, right: 18, bottom: 62, left: 42 };
const MARK_ROWS = { message: 30, reply: 42, outreach: 42, thought: 54 };
const DOTS_BELOW = 80; // with few readings, show where each one is
const TICK_STEPS_S = [
  1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
];

function timeLabel(ms, step) {
  const options = { hour: "2-digit", minute: "2-digit" };
  if (step < 60) options.second = "2-digit";
  if (step >= 86400) return new Date(ms).toLocaleDateString(undefined, { weekday: "short", day: "numeric" });
  return new Date(ms).toLocaleTimeString(undefined, options);
}

function niceStep(spanS, wanted) {
  return TICK_STEPS_S.find((step) => spanS / step <= wanted) ?? TICK_STEPS_S.at(-1);
}

/**
 * chart: {times: [ms], series: [{name, label, colour, values: [number]}], yMin, yMax, yTicks,
 * format(value), marks: [{at: ms, kind, title}], label, readout(index) → [nodes], stepUp}
 * stepUp: values only rise through events (emotions), so a rise is drawn as a step.
 */
export function drawChart(host, chart) {
  const width = Math.max(280, host.clientWidth);
  const height = Math.max(160, host.clientHeight);
  const innerW = width - MARGIN.left - MARGIN.right;
  const innerH = height - MARGIN.top - MARGIN.bottom;
  const { times } = chart;
  let t0 = times[0];
  let t1 = times.at(-1);
  for (const mark of chart.marks) {
    t0 = Math.min(t0, mark.at);
    t1 = Math.max(t1, mark.at);
  }
  if (t1 - t0 < MIN_SPAN_MS) t0 = t1 - MIN_SPAN_MS; // a newborn agent: a few seconds
  const x = (t) => MARGIN.left + ((t - t0) / (t1 - t0)) * innerW;
  const y = (v) => MARGIN.top + (1 - (v - chart.yMin) / (chart.yMax - chart.yMin)) * innerH;
  const bottom = MARGIN.top + innerH;

  const grid = chart.yTicks.map((v) =>
    svg(
      "g",
      {},
      svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(v), y2: y(v), class: v === 0 && chart.yMin < 0 ? "grid grid-zero" : "grid" }),
      svg("text", { x: MARGIN.left - 8, y: y(v) + 4, class: "tick", "text-anchor": "end" }, chart.format(v)),
    ),
  );
  const step = niceStep((t1 - t0) / 1000, Math.max(2, Math.floor(innerW / 96)));
  const stepMs = step * 1000;
  const timeTicks = [];
  const offset = new Date(t0).getTimezoneOffset() * 60000;
  for (let t = Math.ceil((t0 - offset) / stepMs) * stepMs + offset; t <= t1; t += stepMs) {
    timeTicks.push(
      svg(
        "g",
        {},
        svg("line", { x1: x(t), x2: x(t), y1: bottom, y2: bottom + 5, class: "axis" }),
        svg("text", { x: x(t), y: bottom + 18, class: "tick", "text-anchor": "middle" }, timeLabel(t, step)),
      ),
    );
  }
  // Three rows under the time axis: your messages, hers, her thoughts.
  const markY = (kind) => bottom + MARK_ROWS[kind];
  const guides = chart.marks
    .filter((m) => m.kind === "message")
    .map((m) => svg("line", { x1: x(m.at), x2: x(m.at), y1: MARGIN.top, y2: bottom, class: "mark-guide" }));
  const marks = chart.marks.map((m) =>
    svg(
      "g",
      { class: `mark mark-${m.kind}`, transform: `translate(${x(m.at).toFixed(1)},${markY(m.kind)})` },
      m.kind === "thought"
        ? svg("rect", { x: -4, y: -4, width: 8, height: 8, transform: "rotate(45)" })
        : svg("circle", { r: 4.5 }),
      svg("title", {}, m.title),
    ),
  );
  const lines = chart.series.map((s) => {
    const d = s.values
      .map((v, i) => {
        const [px, py] = [x(times[i]).toFixed(1), y(v).toFixed(1)];
        if (i === 0) return `M${px},${py}`;
        // Readings are taken after events: a rise happened at the event, not on the way there.
        return chart.stepUp && v > s.values[i - 1] ? `H${px}V${py}` : `L${px},${py}`;
      })
      .join("");
    const last = s.values.length - 1;
    const path = svg("path", { d, class: "line", "data-series": s.name });
    path.style.stroke = s.colour;
    const shown = times.length < DOTS_BELOW ? s.values.map((_, i) => i) : [last];
    const dots = shown.map((i) => {
      const dot = svg("circle", { cx: x(times[i]), cy: y(s.values[i]), r: i === last ? 3.5 : 2.5, class: "line-dot" });
      dot.style.fill = s.colour;
      return dot;
    });
    return svg("g", {}, path, ...dots);
  });

  const cursor = svg("g", { class: "cursor", visibility: "hidden" });
  const overlay = svg("rect", {
    x: MARGIN.left,
    y: MARGIN.top,
    width: innerW,
    height: innerH,
    class: "overlay",
  });
  const root = svg(
    "svg",
    { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": chart.label },
    ...grid,
    svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: bottom, y2: bottom, class: "axis" }),
    ...timeTicks,
    ...guides,
    ...lines,
    ...marks,
    cursor,
    overlay,
  );
  const tip = el("div", { class: "chart-tip", hidden: true });
  host.replaceChildren(root, tip);

  const show = (index) => {
    const t = times[index];
    cursor.replaceChildren(
      svg("line", { x1: x(t), x2: x(t), y1: MARGIN.top, y2: bottom, class: "cursor-line" }),
      ...chart.series.map((s) => {
        const dot = svg("circle", { cx: x(t), cy: y(s.values[index]), r: 4, class: "cursor-dot" });
        dot.style.stroke = s.colour;
        return dot;
      }),
    );
    cursor.setAttribute("visibility", "visible");
    tip.replaceChildren(...chart.readout(index));
    tip.hidden = false;
    const left = x(t) + 12;
    tip.style.left = `${Math.min(left, width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${MARGIN.top}px`;
    if (left > width - tip.offsetWidth - 4) tip.style.left = `${Math.max(4, x(t) - tip.offsetWidth - 12)}px`;
  };
  const hide = () => {
    cursor.setAttribute("visibility", "hidden");
    tip.hidden = true;
  };
  const nearest = (clientX) => {
    const box = root.getBoundingClientRect();
    const t = t0 + ((clientX - box.left - MARGIN.left) / innerW) * (t1 - t0);
    let best = 0;
    times.forEach((time, i) => {
      if (Math.abs(time - t) < Math.abs(times[best] - t)) best = i;
    });
    return best;
  };
  overlay.addEventListener("pointermove", (event) => show(nearest(event.clientX)));
  overlay.addEventListener("pointerleave", hide);
  return { show, hide, count: times.length };
}
