// The live state panels: emotions, mood, how she sees you, her latest thought, who she is.

import { renderBars } from "./bars.js";
import { agentTitle, ago, capitalised, el, expressionUrl, keepFace, readable, svg, words } from "./dom.js";

const $ = (id) => document.getElementById(id);
const SENTIMENTS_SHOWN = 6;

const byValue = (scales) =>
  Object.keys(scales).sort((a, b) => scales[b].value - scales[a].value || a.localeCompare(b));

let faceKept = false;

export function renderAgent(agent) {
  const name = agentTitle(agent.name);
  $("agent-name").textContent = name;
  nameThePanels(name);
  document.title = `${name} · Synthetic Soul`;
  const face = $("agent-face");
  if (!faceKept) keepFace(face);
  faceKept = true;
  // Compared with the face asked for, not the `src` shown: one that failed stays replaced.
  const src = expressionUrl(agent.name, agent.global_expression);
  if (face.dataset.face !== src) {
    face.dataset.face = src;
    face.src = src;
  }
  face.alt = `${name} looks ${words(agent.global_expression)}`;
  const mood = agent.mood;
  $("agent-mood-line").textContent = mood ? `Feeling ${moodWords(mood)}` : "Mood unknown";

  const status = agent.emotional_status;
  $("emotion-reason").textContent = readable(status.reason);
  renderBars($("emotion-bars"), status.emotions, {
    // The lite set fits whole; the rich set shows its strongest first.
    order: Object.keys(status.emotions).length > 8 ? byValue : null,
  });
  if (mood) renderMood(mood);

  $("identity").textContent = readable(agent.identity);
  const personality = agent.personality;
  const mbti = personality["myers-briggs"];
  $("personality-summary").textContent = personality.description || (mbti ? `Type ${mbti}` : "");
  renderBars($("trait-bars"), personality.personality_matrix, { colour: () => "var(--accent)" });
}

/** Headings and labels that say whose state they show (`data-named`, `data-named-label`). */
function nameThePanels(name) {
  for (const node of document.querySelectorAll("[data-named]")) {
    node.textContent = node.dataset.named.replace("{name}", name);
  }
  for (const node of document.querySelectorAll("[data-named-label]")) {
    node.setAttribute("aria-label", node.dataset.namedLabel.replace("{name}", name));
  }
}

/**
 * Forget the panels' last agent before another one's state comes: the bars would otherwise
 * show the change between two agents as if one had felt it.
 */
export function clearAgentPanels() {
  for (const id of ["emotion-bars", "sentiment-bars", "trait-bars"]) $(id).replaceChildren();
  moodTrail = [];
  renderThought(null);
}

/** "calm" near the agent's usual mood, "slightly exuberant"; older servers send no name. */
export function moodWords(mood) {
  if (mood.name) return mood.name;
  return mood.label === "neutral" ? "neutral" : `${mood.intensity} ${mood.label}`;
}

let moodTrail = [];
// The pleasure × arousal quadrants in everyday words ([label, pleasant, aroused]).
const QUADRANTS = [
  ["tense", false, true],
  ["excited", true, true],
  ["down", false, false],
  ["content", true, false],
];

/** Recent mood points (oldest first) drawn as a fading path behind the current one. */
export function setMoodTrail(points) {
  moodTrail = points.map((p) => p.mood);
}

function renderMood(mood) {
  $("mood-label").textContent = capitalised(moodWords(mood));
  const values = $("mood-values");
  values.replaceChildren(
    ...[
      ["Pleasure", mood.pleasure],
      ["Arousal", mood.arousal],
      ["Dominance", mood.dominance],
    ].flatMap(([label, value]) => [
      el("dt", {}, label),
      el("dd", {}, (value >= 0 ? "+" : "−") + Math.abs(value).toFixed(2)),
    ]),
  );
  $("mood-plot").replaceChildren(moodPlot(mood));
}

function moodPlot(mood) {
  const size = 140;
  const pad = 4;
  const half = (size - 2 * pad) / 2;
  const x = (p) => pad + half + p * half;
  const y = (a) => pad + half - a * half;
  const trail = [...moodTrail, mood].slice(-40);
  const path = trail.map((m, i) => `${i ? "L" : "M"}${x(m.pleasure)},${y(m.arousal)}`).join("");
  const description =
    `Pleasure ${mood.pleasure.toFixed(2)}, arousal ${mood.arousal.toFixed(2)}, ` +
    `dominance ${mood.dominance.toFixed(2)}: ${moodWords(mood)}.`;
  // The dot grows with dominance: small when submissive, large when in control.
  const radius = 5 + 2.5 * (mood.dominance + 1);
  return svg(
    "svg",
    {
      viewBox: `0 0 ${size} ${size}`,
      class: "mood-svg",
      role: "img",
      "aria-label": `Mood on the pleasure and arousal plane. ${description}`,
    },
    svg("rect", { x: pad, y: pad, width: 2 * half, height: 2 * half, class: "mood-frame" }),
    svg("line", { x1: x(0), y1: pad, x2: x(0), y2: size - pad, class: "mood-axis" }),
    svg("line", { x1: pad, y1: y(0), x2: size - pad, y2: y(0), class: "mood-axis" }),
    ...QUADRANTS.map(([label, right, top]) =>
      svg(
        "text",
        {
          x: right ? size - pad - 5 : pad + 5,
          y: top ? pad + 12 : size - pad - 6,
          class: "mood-tick",
          "text-anchor": right ? "end" : "start",
        },
        label,
      ),
    ),
    trail.length > 1 ? svg("path", { d: path, class: "mood-trail" }) : null,
    svg("circle", { cx: x(mood.pleasure), cy: y(mood.arousal), r: radius, class: "mood-dot" }),
  );
}

export function renderRelationship(rel, agentName) {
  const chips = [el("span", { class: "chip chip-strong" }, capitalised(rel.extrinsic_relationship))];
  if (rel.intrinsic_relationship && rel.intrinsic_relationship !== "none") {
    chips.push(el("span", { class: "chip" }, capitalised(rel.intrinsic_relationship)));
  }
  chips.push(
    el("span", { class: "chip chip-quiet" }, `${rel.interactions} message${rel.interactions === 1 ? "" : "s"}`),
  );
  $("relationship-label").replaceChildren(...chips);
  $("relationship-summary").textContent =
    readable(rel.summary) || `${agentTitle(agentName)} does not know much about you yet.`;
  const top = byValue(rel.sentiments)
    .filter((name) => rel.sentiments[name].value > 0)
    .slice(0, SENTIMENTS_SHOWN);
  const shown = Object.fromEntries(top.map((name) => [name, rel.sentiments[name]]));
  renderBars($("sentiment-bars"), shown, { order: byValue, colour: () => "var(--sentiment)" });
  $("sentiment-empty").hidden = top.length > 0;
}

export function renderThought(thought) {
  const quote = $("thought");
  if (!thought) {
    quote.replaceChildren(el("p", {}, "No thoughts yet."));
    $("thought-time").textContent = "";
    return;
  }
  quote.replaceChildren(el("p", {}, readable(thought.thought)));
  const time = $("thought-time");
  time.dataset.at = thought.timestamp;
  time.textContent = ago(thought.timestamp);
}

/** Keep "n minutes ago" true without asking the server again. */
export function tickTimes() {
  const time = $("thought-time");
  if (time.dataset.at) time.textContent = ago(time.dataset.at);
}
