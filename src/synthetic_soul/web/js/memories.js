// The memories view: what the agent holds about the signed-in user, each one deletable.

import { agentTitle, capitalised, el, readable, timeOf, words } from "./dom.js";

const $ = (id) => document.getElementById(id);

export class Memories {
  constructor(session, { agent, picked }) {
    this.session = session;
    this.agent = agent;
    this.picked = picked; // the agent chosen: its name, and the headers naming it
    $("memories-reload").addEventListener("click", () => this.load());
  }

  async load() {
    const asked = this.picked.name;
    const { memories } = await this.session.request("GET", "/memories", undefined, this.picked.headers());
    if (this.picked.name !== asked) return null; // another agent was chosen meanwhile
    this.#render(memories);
    return memories;
  }

  /** Another agent: nothing of the last one's memories stays on screen. */
  clear() {
    $("memory-list").replaceChildren();
    $("memories-status").textContent = "";
  }

  #render(memories) {
    const list = $("memory-list");
    list.replaceChildren(...memories.map((m) => this.#card(m)));
    const name = agentTitle(this.agent());
    $("memories-status").textContent = memories.length
      ? `${name} holds ${memories.length} ${memories.length === 1 ? "memory" : "memories"} about you.`
      : `${name} holds no memories about you yet. Talk a little: ${name} reflects after each conversation.`;
  }

  #card(m) {
    const importance = el("span", { class: "importance", "aria-hidden": "true" });
    importance.style.setProperty("--share", `${m.importance * 10}%`);
    const card = el(
      "li",
      { class: "memory", "data-id": m.id },
      el(
        "div",
        { class: "memory-head" },
        el("span", { class: `chip chip-${m.significance}` }, `${capitalised(m.significance)} significance`),
        m.kind && m.kind !== "episode" ? el("span", { class: "chip" }, capitalised(words(m.kind))) : null,
        el("span", { class: "memory-importance" }, importance, `Importance ${m.importance}/10`),
      ),
      ...this.#forgetting(m),
      el("h3", { class: "memory-event" }, readable(m.event)),
      m.thoughts ? el("p", { class: "memory-thoughts" }, readable(m.thoughts)) : null,
      el(
        "p",
        { class: "memory-meta" },
        ...m.tags.map((tag) => el("span", { class: "tag" }, `#${tag}`)),
        m.emotional_impact ? el("span", {}, `Felt: ${m.emotional_impact}`) : null,
        el("time", { datetime: m.created_at }, `Formed ${timeOf(m.created_at)}`),
        el("span", {}, `Recalled ${m.recall_count}×`),
      ),
    );
    return card;
  }

  /** The "Forget" button (top right) and the question it opens (a row of its own, last). */
  #forgetting(m) {
    const box = el("div", { class: "memory-actions" });
    const ask = el(
      "button",
      {
        type: "button",
        class: "button button-quiet button-danger",
        "aria-label": `Forget the memory: ${readable(m.event)}`,
      },
      "Forget",
    );
    const confirm = el(
      "button",
      { type: "button", class: "button button-danger" },
      "Yes, forget it",
    );
    const keep = el("button", { type: "button", class: "button button-quiet" }, "Keep");
    const question = el(
      "div",
      { class: "memory-confirm", role: "group", "aria-label": "Confirm forgetting", hidden: true },
      el("span", {}, `${agentTitle(this.agent())} will not remember this again.`),
      confirm,
      keep,
    );
    ask.addEventListener("click", () => {
      ask.hidden = true;
      question.hidden = false;
      confirm.focus();
    });
    keep.addEventListener("click", () => {
      question.hidden = true;
      ask.hidden = false;
      ask.focus();
    });
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      try {
        const path = `/memories/${encodeURIComponent(m.id)}`;
        await this.session.request("DELETE", path, undefined, this.picked.headers());
      } catch (error) {
        confirm.disabled = false;
        $("memories-status").textContent = `That memory could not be forgotten: ${error.message}`;
        return;
      }
      const card = box.closest(".memory");
      const next = card.nextElementSibling ?? card.previousElementSibling;
      card.remove();
      const left = $("memory-list").children.length;
      $("memories-status").textContent =
        `Forgotten. ${left ? `${left} ${left === 1 ? "memory remains" : "memories remain"}.` : "No memories remain."}`;
      (next?.querySelector("button") ?? $("memories-reload")).focus();
    });
    box.append(ask);
    return [box, question];
  }
}
