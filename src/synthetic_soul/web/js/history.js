// The history view: emotions and mood over time, with messages and thoughts as marks.

import { drawChart } from "./chart.js";
import { agentTitle, capitalised, colourOf, el, timeOf, words } from "./dom.js";

const $ = (id) => document.getElementById(id);
const LIMIT = 500;
const SHOWN_AT_FIRST = 7; // the rich set has 27 emotions: start with the strongest
const PAD = [ // colours from style.css, shared with the legend
  { name: "pleasure", label: "Pleasure", colour: "var(--pad-pleasure)" },
  { name: "arousal", label: "Arousal", colour: "var(--pad-arousal)" },
  { name: "dominance", label: "Dominance", colour: "var(--pad-dominance)" },
];
const MARK_TITLES = {
  message: () => "You",
  reply: (name) => `${name} replied`,
  outreach: (name) => `${name} reached out`,
  thought: (name) => `${name} had a thought`,
};

export class History {
  #data = null;
  #hidden = new Set();
  #known = null; // the emotion names seen, to pick the first shown only once
  #cursor = -1;
  #charts = [];

  constructor(session, { message, agent, picked }) {
    this.session = session;
    this.message = message; // id → a conversation message, for the marks' titles
    this.agent = agent;
    this.picked = picked; // the agent chosen: its name, and the headers naming it
    $("history-range").addEventListener("change", () => this.load());
    new ResizeObserver(() => this.#draw()).observe($("emotion-chart"));
    for (const id of ["emotion-chart", "mood-chart"]) {
      const host = $(id);
      host.tabIndex = 0;
      host.addEventListener("keydown", (event) => this.#key(event));
      host.addEventListener("blur", () => this.#charts.forEach((c) => c.hide()));
    }
  }

  async load() {
    const since = Date.now() / 1000 - Number($("history-range").value);
    const asked = this.picked.name;
    const body = await this.session.request(
      "GET",
      `/agents/active/history?since=${since.toFixed(0)}&limit=${LIMIT}`,
      undefined,
      this.picked.headers(),
    );
    if (this.picked.name !== asked) return null; // another agent was chosen meanwhile
    this.#data = body.history;
    this.#legend();
    this.#draw();
    return this.#data;
  }

  /** Another agent: its emotions (maybe another set) are picked for the legend anew. */
  reset() {
    this.#data = null;
    this.#known = null;
    this.#hidden.clear();
    this.#cursor = -1;
    this.#charts = [];
    for (const id of ["history-legend", "emotion-chart", "mood-chart"]) $(id).replaceChildren();
    $("history-summary").textContent = "";
  }

  #legend() {
    const points = this.#data.points;
    const names = Object.keys(points.at(-1)?.emotions ?? {});
    if (!this.#known) {
      this.#known = new Set(names);
      const peak = (name) => Math.max(...points.map((p) => p.emotions[name] ?? 0));
      const ranked = [...names].sort((a, b) => peak(b) - peak(a));
      ranked.slice(SHOWN_AT_FIRST).forEach((name) => this.#hidden.add(name));
    }
    $("history-legend").replaceChildren(
      ...names.map((name) => {
        const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
        swatch.style.background = colourOf(name);
        return el(
          "button",
          {
            type: "button",
            class: "legend-item",
            "aria-pressed": String(!this.#hidden.has(name)),
            onclick: (event) => {
              if (this.#hidden.has(name)) this.#hidden.delete(name);
              else this.#hidden.add(name);
              event.currentTarget.setAttribute("aria-pressed", String(!this.#hidden.has(name)));
              this.#draw();
            },
          },
          swatch,
          capitalised(words(name)),
        );
      }),
    );
  }

  #draw() {
    if (!this.#data || $("view-history").hidden) return;
    const { points, marks } = this.#data;
    const times = points.map((p) => Date.parse(p.timestamp));
    const chartMarks = marks.map((m) => ({ at: Date.parse(m.timestamp), kind: m.kind, title: this.#title(m) }));
    const names = Object.keys(points.at(-1)?.emotions ?? {}).filter((n) => !this.#hidden.has(n));
    const series = names.map((name) => ({
      name,
      label: capitalised(words(name)),
      colour: colourOf(name),
      values: points.map((p) => p.emotions[name] ?? 0),
    }));
    const peak = Math.max(10, ...series.flatMap((s) => s.values));
    const top = Math.min(100, Math.ceil((peak * 1.15) / 10) * 10);
    const tickStep = top <= 20 ? 5 : top <= 50 ? 10 : 20;
    const yTicks = Array.from({ length: Math.floor(top / tickStep) + 1 }, (_, i) => i * tickStep);
    const when = (i) => el("p", { class: "tip-time" }, timeOf(points[i].timestamp, { seconds: true }));
    const emotions = drawChart($("emotion-chart"), {
      times,
      series,
      yMin: 0,
      yMax: top,
      yTicks,
      format: (v) => String(v),
      marks: chartMarks,
      stepUp: true,
      label: this.#describe(points, marks),
      readout: (i) => [when(i), ...series.map((s) => this.#line(s, Math.round(s.values[i])))],
    });
    const moodSeries = PAD.map((axis) => ({ ...axis, values: points.map((p) => p.mood[axis.name]) }));
    const mood = drawChart($("mood-chart"), {
      times,
      series: moodSeries,
      yMin: -1,
      yMax: 1,
      yTicks: [-1, -0.5, 0, 0.5, 1],
      format: (v) => (v > 0 ? `+${v}` : v < 0 ? `−${-v}` : "0"),
      marks: chartMarks,
      label: `Mood over the same time: now ${points.at(-1).mood.label}.`,
      readout: (i) => [
        when(i),
        el("p", { class: "tip-strong" }, capitalised(points[i].mood.label)),
        ...moodSeries.map((s) => this.#line(s, s.values[i].toFixed(2))),
      ],
    });
    this.#charts = [emotions, mood];
    this.#cursor = Math.min(this.#cursor, times.length - 1);
    $("history-summary").textContent = this.#summary(points, marks);
  }

  #line(series, value) {
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = series.colour;
    return el("p", {}, swatch, `${series.label} `, el("strong", {}, String(value)));
  }

  #title(mark) {
    const when = timeOf(mark.timestamp);
    const message = this.message(mark.id);
    const text = message ? `: “${message.message.slice(0, 80)}${message.message.length > 80 ? "…" : ""}”` : "";
    const said = MARK_TITLES[mark.kind]?.(agentTitle(this.agent())) ?? mark.kind;
    return `${said}${text} (${when})`;
  }

  #describe(points, marks) {
    const last = points.at(-1).emotions;
    const strongest = Object.keys(last).sort((a, b) => last[b] - last[a])[0];
    return (
      `Emotions over time, ${points.length} points. ` +
      `Strongest now: ${words(strongest)} at ${Math.round(last[strongest])}. ` +
      `${marks.length} messages and thoughts marked.`
    );
  }

  #summary(points, marks) {
    const count = (kind) => marks.filter((m) => m.kind === kind).length;
    const short = Date.parse(points.at(-1).timestamp) - Date.parse(points[0].timestamp) < 3600000;
    const from = timeOf(points[0].timestamp, { seconds: short });
    const to = timeOf(points.at(-1).timestamp, { seconds: short });
    const name = agentTitle(this.agent());
    return (
      `${points.length} readings from ${from} to ${to} · ${count("message")} from you · ` +
      `${count("reply") + count("outreach")} from ${name} · ${count("thought")} thoughts. ` +
      "Focus a chart and use the arrow keys to read its values."
    );
  }

  #key(event) {
    const count = this.#charts[0]?.count ?? 0;
    if (!count) return;
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (event.key === "Escape") {
      this.#charts.forEach((c) => c.hide());
      return;
    }
    if (!(event.key in moves)) return;
    event.preventDefault();
    const start = this.#cursor < 0 ? count - 1 : this.#cursor + moves[event.key];
    this.#cursor = Math.max(0, Math.min(count - 1, start));
    const chart = this.#charts[event.currentTarget.id === "mood-chart" ? 1 : 0];
    this.#charts.forEach((c) => c.hide());
    chart.show(this.#cursor);
    $("chart-readout").textContent = event.currentTarget.querySelector(".chart-tip").textContent;
  }
}
