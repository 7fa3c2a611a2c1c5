// The conversation: rows merged by message id, replies streamed while she writes them.

import { ApiError } from "./api.js";
import { agentTitle, el, faceImage, readable, timeOf, words } from "./dom.js";
import { followJob } from "./jobs.js";

const $ = (id) => document.getElementById(id);
const EXPRESSIONS_KEY = "synthetic-soul:expressions";
const EXPRESSIONS_KEPT = 300;
const WAITING_FACE = "listening_deeply";

// The conversation endpoint does not say which face went with a reply; the job result does.
// Remember it per reply id so the faces survive a reload.
function loadFaces() {
  try {
    return JSON.parse(localStorage.getItem(EXPRESSIONS_KEY) || "{}");
  } catch {
    return {};
  }
}

function saveFace(messageId, expression) {
  const faces = loadFaces();
  faces[messageId] = expression;
  const kept = Object.entries(faces).slice(-EXPRESSIONS_KEPT);
  try {
    localStorage.setItem(EXPRESSIONS_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // storage full or disabled: the faces just fall back to the neutral one after a reload
  }
}

export class Chat {
  #rows = new Map(); // key (message id, or pending:<role>:<job id>) → <li>
  #messages = new Map(); // message id → message, for the history chart's marks
  #pending = 0; // replies still being written
  #submitting = false;
  #shown = 0; // which conversation is on screen: a reply to an earlier one is not added to it

  constructor(session, { agent, headers, onReplied }) {
    this.session = session;
    this.agent = agent; // () => the agent's name
    this.headers = headers; // () => the headers naming the agent spoken to
    this.onReplied = onReplied;
    this.list = $("messages");
    this.drafts = $("drafts");
    this.scroller = $("chat-scroll");
    this.input = $("message-input");
    this.status = $("composer-status");
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener("input", () => this.#fit());
  }

  /** Show the latest messages (the view was hidden while they came). */
  scrollToEnd() {
    this.#toBottom();
  }

  message(id) {
    return this.#messages.get(id);
  }

  /** Empty the view: another user, or another agent, whose conversation loads next. */
  clear() {
    this.#shown += 1;
    this.#say("");
    this.list.setAttribute("aria-live", "off");
    this.#rows.clear();
    this.#messages.clear();
    this.list.replaceChildren();
    this.drafts.replaceChildren();
    this.#updateEmpty();
  }

  /** Merge the server's conversation in: known rows are kept, new ones added in order. */
  setConversation(messages) {
    const faces = loadFaces();
    const stick = this.#nearBottom();
    const ordered = [];
    for (const m of messages) {
      this.#messages.set(m.id, m);
      let row = this.#rows.get(m.id);
      const pendingKey = m.job_id && `pending:${m.from_agent ? "agent" : "user"}:${m.job_id}`;
      if (!row && pendingKey && this.#rows.has(pendingKey)) {
        row = this.#rows.get(pendingKey);
        this.#rows.delete(pendingKey);
        this.#rows.set(m.id, row);
      }
      if (!row) {
        row = this.#row(m.from_agent, m.message, m.timestamp, faces[m.id], m.purpose);
        this.#rows.set(m.id, row);
      }
      row.dataset.id = m.id;
      ordered.push(row);
    }
    for (const row of this.list.children) if (!ordered.includes(row)) ordered.push(row);
    ordered.forEach((row, index) => {
      if (this.list.children[index] !== row) this.list.insertBefore(row, this.list.children[index] ?? null);
    });
    this.#updateEmpty();
    if (stick) this.#toBottom();
    this.list.setAttribute("aria-live", "polite");
  }

  async send() {
    const text = this.input.value.trim();
    if (!text || this.#submitting) return;
    if (text.length > 4000) {
      this.#say("That message is too long: 4000 characters at most.");
      return;
    }
    let reply;
    const shown = this.#shown;
    this.#submitting = true;
    $("send").disabled = true;
    try {
      const body = { message: text, type: "dm" };
      reply = await this.session.send("POST", "/messages/submit", body, this.headers());
    } catch (error) {
      this.#say(
        error instanceof ApiError && error.status === 429
          ? `You are writing faster than ${agentTitle(this.agent())} can read. Try again in ${error.retryAfter ?? 30} s.`
          : `Your message was not sent: ${error.message}`,
      );
      return;
    } finally {
      this.#submitting = false;
      $("send").disabled = false;
    }
    this.input.value = "";
    this.#fit();
    if (shown !== this.#shown) return; // sent to the agent that was on screen, kept there
    const jobId = reply.body.job_id;
    const mine = this.#row(false, text, new Date().toISOString());
    this.#rows.set(`pending:user:${jobId}`, mine);
    this.list.append(mine);
    this.#updateEmpty();
    this.#toBottom();
    await this.#await(jobId, mine);
  }

  async #await(jobId, mine) {
    const shown = this.#shown;
    const name = agentTitle(this.agent());
    const draftText = el("span", { class: "draft-text" });
    const draft = el(
      "div",
      { class: "msg msg-agent draft", "data-job": jobId },
      this.#face(WAITING_FACE),
      el("div", { class: "msg-body" }, el("p", { class: "msg-text" }, draftText, el("span", { class: "typing" }, el("i"), el("i"), el("i")))),
    );
    this.drafts.append(draft);
    this.#pending += 1;
    this.#say(`${name} is reading your message…`);
    this.#toBottom();
    let streamed = "";
    let final;
    try {
      final = await followJob(this.session, jobId, {
        onStatus: (snapshot) => {
          if (snapshot.status === "running" && !streamed) this.#say(`${name} is writing…`);
        },
        onToken: ({ text, reset }) => {
          const stick = this.#nearBottom();
          streamed = reset ? text : streamed + text;
          draftText.textContent = readable(streamed);
          if (stick) this.#toBottom();
        },
      });
    } catch (error) {
      final = { status: "failed", error: error.code ?? "job_lost" };
    } finally {
      draft.remove();
      this.#pending -= 1;
    }
    if (shown !== this.#shown) return; // another agent (or user) is on screen now
    const result = final.result;
    if (result?.message_id) this.#rekey(`pending:user:${jobId}`, result.message_id, mine);
    if (final.status === "succeeded" && result.response) {
      const key = result.reply_id ?? `pending:agent:${jobId}`;
      if (result.reply_id) saveFace(result.reply_id, result.expression);
      if (!this.#rows.has(key)) {
        const row = this.#row(true, result.response, new Date().toISOString(), result.expression);
        this.#rows.set(key, row);
        this.list.append(row);
      }
      this.#say(this.#pending ? `${name} is writing…` : "");
    } else if (final.status === "succeeded") {
      this.list.append(this.#note(`${name} chose not to answer.`));
      this.#say("");
    } else {
      this.list.append(this.#note("Something went wrong with this reply. Your message was kept."));
      this.#say("");
    }
    this.#toBottom();
    this.onReplied?.();
  }

  #rekey(from, to, row) {
    if (this.#rows.get(from) === row && !this.#rows.has(to)) {
      this.#rows.delete(from);
      this.#rows.set(to, row);
    }
  }

  #row(fromAgent, text, timestamp, expression = null, purpose = "") {
    const name = agentTitle(this.agent());
    const who = fromAgent ? `${name} said` : "You said";
    const body = el(
      "div",
      { class: "msg-body" },
      el("p", { class: "msg-text" }, el("span", { class: "visually-hidden" }, `${who}: `), fromAgent ? readable(text) : text),
      el(
        "p",
        { class: "msg-meta" },
        purpose === "outreach" ? el("span", { class: "chip chip-quiet" }, `${name} reached out`) : null,
        el("time", { datetime: timestamp }, timeOf(timestamp)),
      ),
    );
    const kind = fromAgent ? "msg-agent" : "msg-user";
    return el("li", { class: `msg ${kind}` }, fromAgent ? this.#face(expression) : null, body);
  }

  #face(expression) {
    const shown = expression || "neutral_listening";
    return faceImage(this.agent(), shown, {
      class: "msg-face",
      alt: expression ? `${agentTitle(this.agent())} looks ${words(shown)}` : "",
      width: 40,
      height: 40,
      loading: "lazy",
    });
  }

  #note(text) {
    return el("li", { class: "msg-note" }, text);
  }

  #say(text) {
    this.status.textContent = text;
  }

  #fit() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 180)}px`;
  }

  #nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  #toBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  #updateEmpty() {
    const empty = $("empty-chat");
    const nothing = this.list.children.length === 0 && this.drafts.children.length === 0;
    empty.hidden = !nothing;
    if (nothing) {
      const name = agentTitle(this.agent());
      empty.textContent = `Say hello to ${name}. The emotions, mood and thoughts beside you change as you talk.`;
    }
  }
}
