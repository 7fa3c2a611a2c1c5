// The dashboard's entry point: one session, the views, and when each part is refreshed.

import { Account } from "./account.js";
import { Agents, Picked } from "./agents.js";
import { ApiError, Session } from "./api.js";
import { Chat } from "./chat.js";
import { agentTitle } from "./dom.js";
import { History } from "./history.js";
import { Memories } from "./memories.js";
import {
  clearAgentPanels,
  renderAgent,
  renderRelationship,
  renderThought,
  setMoodTrail,
  tickTimes,
} from "./state.js";

const $ = (id) => document.getElementById(id);
const STATE_EVERY_MS = 20000; // emotions decay between replies: keep the panels current
const CONVERSATION_EVERY_MS = 60000; // she may reach out on her own
const AFTER_REFLECTION_MS = 4000; // reflection follows a reply: its summary, memory, thought
const TRAIL_POINTS = 40;
const NOTICE_MS = 12000;
const VIEWS = ["chat", "history", "memories"];

const session = new Session();
// The agent spoken to: the one picked in this browser, else the deployment's default agent.
const picked = new Picked();
let defaultName = "jasmine"; // until the service says
let agentName = picked.name ?? defaultName;
const agent = () => agentName;
const headers = () => picked.headers();

const chat = new Chat(session, { agent, headers, onReplied: () => afterReply() });
const historyView = new History(session, { message: (id) => chat.message(id), agent, picked });
const memories = new Memories(session, { agent, picked });
const account = new Account(session, { notify });
const agents = new Agents(session, { picked, current: agent, pick, notify });

let noticeTimer = 0;

/** A line under the header: news fades after a while, a problem stays until things work. */
function notify(text, { problem = false } = {}) {
  const notice = $("notice");
  notice.textContent = text;
  notice.hidden = !text;
  notice.dataset.problem = String(problem);
  clearTimeout(noticeTimer);
  if (text && !problem) noticeTimer = setTimeout(() => notify(""), NOTICE_MS);
}

/** Switch to another agent (null: the default one): its conversation, state and views. */
function pick(name) {
  if (name === picked.name) return;
  picked.set(name);
  agentName = name ?? defaultName;
  chat.clear();
  historyView.reset();
  memories.clear();
  clearAgentPanels();
  refreshAll();
}

function report(error) {
  if (error instanceof Superseded) return;
  if (error instanceof ApiError && error.code === "agent_not_found" && picked.name) {
    // Deleted, made private, or another user signed in: back to the default agent.
    notify(`${agentTitle(picked.name)} is not there for you any more: back to ${agentTitle(defaultName)}.`);
    pick(null);
    return;
  }
  console.warn(error);
  const text = error instanceof ApiError ? error.message : "The service could not be reached.";
  notify(`${text} Retrying shortly.`, { problem: true });
}

async function refreshState() {
  const asked = picked.name;
  const scoped = (path) => stale(asked, session.request("GET", path, undefined, headers()));
  const [active, relationship, recent] = await Promise.all([
    scoped("/agents/active"),
    scoped("/agents/active/relationship"),
    // All of time, few points: the mood's recent path, and whether any thought exists at all
    // (asking for the latest thought when there is none is a 404 by contract).
    scoped(`/agents/active/history?since=0&limit=${TRAIL_POINTS}`),
  ]);
  if (picked.name !== asked) return; // another agent was picked meanwhile
  agentName = active.agent.name;
  if (!asked) defaultName = agentName;
  agents.render(agentName);
  setMoodTrail(recent.history.points.slice(0, -1));
  renderAgent(active.agent);
  renderRelationship(relationship.relationship, agentName);
  let thought = null;
  if (recent.history.marks.some((mark) => mark.kind === "thought")) {
    try {
      thought = (await scoped("/thoughts/latest")).latest_thought;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  if (picked.name !== asked) return;
  renderThought(thought);
  document.body.dataset.agent = agentName;
  document.body.dataset.ready = "true";
}

async function refreshConversation() {
  const asked = picked.name;
  const asking = session.request("GET", "/messages/conversation", undefined, headers());
  const { conversation } = await stale(asked, asking);
  if (picked.name === asked) chat.setConversation(conversation.messages);
}

/** A call's failure after another agent was picked: nothing to show or fix any more. */
class Superseded extends Error {}

/**
 * A call made for the agent `asked`: if another agent is picked by the time it fails, the
 * failure is no longer news (a 404 must not send the new choice back to the default agent).
 */
async function stale(asked, call) {
  try {
    return await call;
  } catch (error) {
    throw picked.name === asked ? error : new Superseded();
  }
}

async function refreshView() {
  const view = currentView();
  if (view === "history") await historyView.load();
  if (view === "memories") await memories.load();
}

// The user whose private agents are known (`agents.roster`): until then, a private agent picked
// before a reload would show the icon for each of its faces, asked for without the token.
let listedFor = null;

async function refreshAll() {
  try {
    const user = session.me?.user_id ?? null;
    if (user !== listedFor) {
      await agents.roster();
      listedFor = user;
    }
    await Promise.all([refreshState(), refreshConversation()]);
    await refreshView();
    if ($("notice").dataset.problem === "true") notify("");
  } catch (error) {
    report(error);
  }
}

let reflectionTimer = 0;
function afterReply() {
  refreshAll();
  clearTimeout(reflectionTimer);
  reflectionTimer = setTimeout(refreshAll, AFTER_REFLECTION_MS);
}

// -- views as tabs (arrow keys move between them; the URL's hash keeps the choice) -----------
function currentView() {
  return VIEWS.find((view) => !$(`view-${view}`).hidden) ?? "chat";
}

function showView(view, { focus = false } = {}) {
  for (const name of VIEWS) {
    const selected = name === view;
    const tab = $(`tab-${name}`);
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`view-${name}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  document.body.dataset.view = view;
  if (view === "chat") chat.scrollToEnd();
  if (location.hash !== `#${view}`) replaceHash(view);
  if (session.token) refreshView().catch(report);
}

function replaceHash(view) {
  window.history.replaceState(null, "", view === "chat" ? location.pathname : `#${view}`);
}

$("view-tabs").addEventListener("click", (event) => {
  const tab = event.target.closest("[role=tab]");
  if (tab) showView(tab.id.replace("tab-", ""));
});
$("view-tabs").addEventListener("keydown", (event) => {
  const index = VIEWS.indexOf(currentView());
  const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: VIEWS.length - 1 - index };
  if (!(event.key in moves)) return;
  event.preventDefault();
  const next = VIEWS[(index + moves[event.key] + VIEWS.length) % VIEWS.length];
  showView(next, { focus: true });
});
window.addEventListener("hashchange", () => {
  const view = location.hash.slice(1);
  if (VIEWS.includes(view)) showView(view);
});

// -- the session -------------------------------------------------------------------------------
session.addEventListener("change", (event) => {
  const { reason, userChanged } = event.detail;
  account.render();
  if (userChanged) chat.clear();
  if (userChanged || reason !== "refresh") refreshAll(); // a claim renames you, for one
  if (reason === "expired") notify("Your session ended: you are a guest now. Sign in to go on.");
  if (!session.persistent) {
    notify(
      "This browser did not keep the session cookie, so a reload starts a new guest. " +
        "Serve the dashboard over https (or set COOKIE_SECURE=false on a private network).",
      { problem: true },
    );
  }
});

async function boot() {
  const first = location.hash.slice(1);
  showView(VIEWS.includes(first) ? first : "chat");
  try {
    await session.start();
  } catch (error) {
    report(error);
    setTimeout(boot, 5000);
    return;
  }
  setInterval(() => {
    if (document.visibilityState === "visible") refreshState().catch(report);
    tickTimes();
  }, STATE_EVERY_MS);
  setInterval(() => {
    if (document.visibilityState === "visible") refreshConversation().catch(report);
  }, CONVERSATION_EVERY_MS);
}

boot();
