// Small shared pieces: building elements, words for names, times, colours.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An HTML element: el("p", {class: "x"}, "text", child, ...). */
export function el(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, same shape as `el`. */
export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(node, attrs, children) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const GUEST_NAME = /\bguest_([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/** Text from the server as people read it: a guest's long generated name shortened. */
export function readable(text) {
  return String(text ?? "").replace(GUEST_NAME, "guest_$1");
}

/** "trust_reliability" → "trust reliability". */
export function words(name) {
  return String(name).replaceAll("_", " ").replaceAll("-", " ");
}

/** "joy" → "Joy". */
export function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

export function timeOf(iso, { seconds = false } = {}) {
  const at = new Date(iso);
  const today = new Date().toDateString() === at.toDateString();
  const options = today
    ? { hour: "2-digit", minute: "2-digit" }
    : { weekday: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  if (seconds) options.second = "2-digit";
  return at.toLocaleString(undefined, options);
}

export function ago(iso, now = Date.now()) {
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const units = [
    [60, "minute"],
    [3600, "hour"],
    [86400, "day"],
  ];
  let [size, unit] = units[0];
  for (const candidate of units) if (seconds >= candidate[0]) [size, unit] = candidate;
  const count = Math.max(1, Math.round(seconds / size));
  return `${count} ${unit}${count === 1 ? "" : "s"} ago`;
}

const EMOTION_COLOURS = {
  joy: "#e09a0b",
  happiness: "#e09a0b",
  sadness: "#3b7ddd",
  anger: "#dc3b3b",
  fear: "#8b5cf6",
  surprise: "#0f9f8f",
  love: "#e0468f",
  disgust: "#5f9a12",
};

/** A stable colour for any emotion or sentiment name (fixed ones for the lite set). */
export function colourOf(name) {
  if (EMOTION_COLOURS[name]) return EMOTION_COLOURS[name];
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return `hsl(${hash} 62% 46%)`;
}

// A private agent's faces are served to its owner alone, and an <img> sends no header: its
// URL names the owner with the access token. These are the private agents the user lists
// (theirs: another's private agent is never listed), and how to read the current token.
const ownFaces = { names: new Set(), token: () => null };

/** The user's private agents, whose faces are asked for with `token()`. */
export function showOwnFaces(names, token) {
  ownFaces.names = new Set(names.map((name) => name.toLowerCase()));
  ownFaces.token = token;
}

/** The URL of an agent's expression image (the server tries the other extensions itself). */
export function expressionUrl(agent, expression) {
  const url = `/static/expressions/${encodeURIComponent(agent.toLowerCase())}/${encodeURIComponent(expression)}.png`;
  const token = ownFaces.names.has(agent.toLowerCase()) ? ownFaces.token() : null;
  return token ? `${url}?access_token=${encodeURIComponent(token)}` : url;
}

/** An agent's name as people read it: "old_sailor" → "Old Sailor", "jasmine" → "Jasmine". */
export function agentTitle(name) {
  return words(name).split(" ").filter(Boolean).map(capitalised).join(" ");
}

const NO_FACE = "/ui/icon.svg";

/**
 * An agent's face as an <img>: the card's own, else the default set. A face that does not load
 * (a private agent's once the token is stale) shows the dashboard's icon, not a broken image.
 */
export function faceImage(agent, expression, attrs = {}) {
  const img = el("img", { ...attrs, src: expressionUrl(agent, expression) });
  keepFace(img);
  return img;
}

/** Show the icon in place of `img`'s face if the face cannot be loaded. */
export function keepFace(img) {
  img.addEventListener("error", () => {
    if (!img.src.endsWith(NO_FACE)) img.src = NO_FACE;
  });
}
