// The agents a user may talk to: the one picked (remembered in this browser), the picker with
// each agent's face and mood, a Character Card imported as a new agent (dropped anywhere on
// the page or chosen as a file), and the picked agent's card to download.

import { ApiError, speakingTo } from "./api.js";
import { agentTitle, el, faceImage, showOwnFaces, words } from "./dom.js";
import { moodWords } from "./state.js";

const $ = (id) => document.getElementById(id);
const KEY = "synthetic-soul:agent";
const MAX_CARD_BYTES = 32 * 1024 * 1024; // what the service reads of an upload
const REVOKE_AFTER_MS = 30000;

function stored() {
  try {
    return localStorage.getItem(KEY) || null;
  } catch {
    return null; // storage disabled: the default agent after each reload
  }
}

/** The agent chosen: its name, or null for the deployment's default agent (no X-Agent sent). */
export class Picked {
  name = stored();

  /** The headers an agent-scoped call carries for the chosen agent. */
  headers() {
    return speakingTo(this.name);
  }

  set(name) {
    this.name = name;
    try {
      if (name) localStorage.setItem(KEY, name);
      else localStorage.removeItem(KEY);
    } catch {
      // not kept: the choice lasts until the page is reloaded
    }
  }
}

/** What went wrong with an import, said to a person (the envelope's code picks the words). */
function importProblem(error) {
  if (!(error instanceof ApiError)) return "The service could not be reached. Try again.";
  if (error.status === 403) return "Claim your account to import a card: a guest's agents would be lost with the guest. Use “Save or sign in” first.";
  if (error.status === 429) return `Too many imports. Wait ${error.retryAfter ?? 60} seconds.`;
  const said = {
    card_invalid: `That file is not a character card this service can read: ${error.message}`,
    card_too_large: `That card is too large: ${error.message}`,
    agent_exists: "An agent with this card's name already exists. Rename the card, or pick that agent from the list.",
  };
  return said[error.code] ?? error.message;
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types ?? [])].includes("Files");
}

export class Agents {
  #dragDepth = 0;
  #importing = false;

  /**
   * picked: the `Picked` choice; current(): the name of the agent on screen; pick(name): switch
   * to an agent (null: the default one); notify(text, options): the page's notice line.
   */
  constructor(session, { picked, current, pick, notify }) {
    this.session = session;
    this.picked = picked;
    this.current = current;
    this.pick = pick;
    this.notify = notify;
    this.dialog = $("agents-dialog");
    this.list = $("agent-list");
    $("agents-open").addEventListener("click", () => this.open());
    this.dialog.querySelector("[data-close]").addEventListener("click", () => this.dialog.close());
    const input = $("card-file");
    input.addEventListener("change", () => {
      const [file] = input.files;
      input.value = ""; // choosing the same file again is a new try
      if (file) this.import(file);
    });
    $("export-card").addEventListener("click", (event) => {
      event.preventDefault();
      this.export();
    });
    this.#acceptDrops();
  }

  /** The picker: every agent with its face and mood, the one on screen marked. */
  async open() {
    $("import-error").textContent = "";
    $("import-status").textContent = "";
    if (!this.dialog.open) this.dialog.showModal();
    try {
      await this.load();
    } catch (error) {
      $("agents-status").textContent = `The agents could not be listed: ${error.message}`;
      return;
    }
    (this.list.querySelector("[aria-current=true]") ?? this.list.querySelector("button"))?.focus();
  }

  /**
   * The agents this user may talk to; the private ones among them (theirs) have their faces
   * asked for with the token from now on.
   */
  async roster() {
    const { agents } = await this.session.request("GET", "/agents");
    showOwnFaces(
      agents.filter((a) => a.visibility === "private").map((a) => a.name),
      () => this.session.token,
    );
    return agents;
  }

  async load() {
    $("agents-status").textContent = "Listing the agents…";
    const agents = await this.roster();
    const ordered = [...agents].sort((a, b) => b.default - a.default || b.mine - a.mine || a.name.localeCompare(b.name));
    // Each one's face and mood is its own state: one call per agent, side by side.
    const states = await Promise.allSettled(
      ordered.map((a) => this.session.request("GET", "/agents/active", undefined, speakingTo(a.name))),
    );
    const onScreen = this.current();
    this.list.replaceChildren(
      ...ordered.map((a, i) => this.#choice(a, states[i].value?.agent ?? null, a.name === onScreen)),
    );
    $("agents-status").textContent = `${ordered.length} ${ordered.length === 1 ? "agent" : "agents"} to talk to.`;
    return ordered;
  }

  #choice(listed, state, current) {
    const title = agentTitle(listed.name);
    const about = [state?.mood ? `Feeling ${moodWords(state.mood)}` : null];
    if (state) about.push(`looks ${words(state.global_expression)}`);
    const chips = [];
    if (listed.default) chips.push("Default");
    if (listed.mine) chips.push("Yours");
    if (listed.visibility === "private") chips.push("Private");
    const button = el(
      "button",
      {
        type: "button",
        class: "agent-choice",
        "aria-current": String(current),
        "data-agent": listed.name,
        onclick: () => {
          this.dialog.close();
          this.pick(listed.default ? null : listed.name);
        },
      },
      faceImage(listed.name, state?.global_expression ?? "neutral_listening", {
        class: "agent-choice-face",
        alt: "",
        width: 44,
        height: 44,
      }),
      el(
        "span",
        { class: "agent-choice-text" },
        el("span", { class: "agent-choice-name" }, title),
        el("span", { class: "agent-choice-about" }, about.filter(Boolean).join(", ")),
      ),
      el("span", { class: "chips" }, ...chips.map((chip) => el("span", { class: "chip" }, chip))),
      current ? el("span", { class: "visually-hidden" }, "(talking now)") : null,
    );
    return el("li", {}, button);
  }

  /** A Character Card (PNG, JSON or CHARX) sent as the multipart field `card`. */
  async import(file) {
    if (this.#importing) return;
    const problem = $("import-error");
    const status = $("import-status");
    if (!this.dialog.open) this.open();
    problem.textContent = "";
    if (file.size > MAX_CARD_BYTES) {
      problem.textContent = "That card is too large: 32 MiB at most.";
      return;
    }
    const form = new FormData();
    form.append("card", file, file.name);
    this.#importing = true;
    status.textContent = `Reading ${file.name}…`;
    let made;
    try {
      made = (await this.session.request("POST", "/agents/import", form)).agent;
    } catch (error) {
      status.textContent = "";
      problem.textContent = importProblem(error);
      return;
    } finally {
      this.#importing = false;
    }
    status.textContent = "";
    this.dialog.close();
    this.pick(made.name);
    this.notify(`${agentTitle(made.name)} came from the card. You are talking to them now.`);
  }

  /** The agent on screen as a PNG card (the route wants the bearer token: no plain link). */
  async export() {
    const name = this.current();
    let blob;
    try {
      blob = await this.session.download(`/agents/${encodeURIComponent(name)}/card.png`);
    } catch (error) {
      this.notify(`The card could not be made: ${error.message}`, { problem: true });
      return;
    }
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: `${name}.png`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }

  /** Name the export link after the agent on screen. */
  render(name) {
    const link = $("export-card");
    link.href = `/v1/agents/${encodeURIComponent(name)}/card.png`;
    link.textContent = `Download ${agentTitle(name)}'s card (PNG)`;
  }

  /** A file dragged over the page shows where it goes; dropped, it is imported. */
  #acceptDrops() {
    const body = document.body;
    const done = () => {
      this.#dragDepth = 0;
      delete body.dataset.dropping;
    };
    document.addEventListener("dragenter", (event) => {
      if (!hasFiles(event)) return;
      this.#dragDepth += 1;
      body.dataset.dropping = "true";
    });
    document.addEventListener("dragleave", (event) => {
      if (!hasFiles(event)) return;
      this.#dragDepth = Math.max(0, this.#dragDepth - 1);
      if (!this.#dragDepth) done();
    });
    document.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault(); // a drop target: the browser would open the file instead
      event.dataTransfer.dropEffect = "copy";
    });
    document.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      done();
      const [file] = event.dataTransfer.files;
      if (file) this.import(file);
    });
  }
}
