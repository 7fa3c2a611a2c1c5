// Labelled meters (emotions, sentiments, traits) that glide to new values and show the change.

import { capitalised, colourOf, el, words } from "./dom.js";

/**
 * Render `scales` ({name: {value, min, max, description}}) into the list `ul`, reusing the
 * rows already there so the bars animate. `order` (optional) sorts the names.
 */
export function renderBars(ul, scales, { order = null, colour = colourOf } = {}) {
  const names = order ? order(scales) : Object.keys(scales);
  const rows = new Map([...ul.children].map((li) => [li.dataset.name, li]));
  names.forEach((name, index) => {
    const scale = scales[name];
    let li = rows.get(name);
    if (!li) li = newRow(name, scale, colour(name));
    rows.delete(name);
    update(li, scale);
    if (ul.children[index] !== li) ul.insertBefore(li, ul.children[index] ?? null);
  });
  for (const stale of rows.values()) stale.remove();
}

function newRow(name, scale, colour) {
  const label = capitalised(words(name));
  const fill = el("span", { class: "meter-fill" });
  fill.style.background = colour;
  const li = el(
    "li",
    { class: "bar", "data-name": name, title: scale.description || null },
    el("span", { class: "bar-label" }, label),
    el(
      "span",
      {
        class: "meter",
        role: "meter",
        "aria-label": label,
        "aria-valuemin": scale.min ?? 0,
        "aria-valuemax": scale.max ?? 100,
      },
      fill,
    ),
    el("span", { class: "bar-value" }),
    el("span", { class: "bar-delta", "aria-hidden": "true" }),
  );
  return li;
}

function update(li, scale) {
  const min = scale.min ?? 0;
  const max = scale.max ?? 100;
  const value = Math.round(scale.value);
  const meter = li.querySelector(".meter");
  const before = li.dataset.value === undefined ? null : Number(li.dataset.value);
  li.dataset.value = String(value);
  meter.setAttribute("aria-valuenow", String(value));
  const share = max > min ? ((value - min) / (max - min)) * 100 : 0;
  li.querySelector(".meter-fill").style.width = `${Math.max(0, Math.min(100, share))}%`;
  li.querySelector(".bar-value").textContent = String(value);
  const delta = li.querySelector(".bar-delta");
  if (before !== null && before !== value) {
    const change = value - before;
    delta.textContent = change > 0 ? `+${change}` : `−${-change}`;
    delta.className = `bar-delta ${change > 0 ? "up" : "down"}`;
  } else if (before !== null) {
    delta.textContent = "";
    delta.className = "bar-delta";
  }
}
