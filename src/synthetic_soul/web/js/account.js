// Guest, claimed account, sign-in and sign-out: the header's account corner and its dialog.

import { ApiError } from "./api.js";

const $ = (id) => document.getElementById(id);

const MESSAGES = {
  invalid_credentials: "That email and password do not match an account.",
  email_in_use: "That email or username is already taken.",
  validation_error: "Please check the fields: something is not in the expected form.",
};

function explain(error) {
  if (!(error instanceof ApiError)) return "The service could not be reached. Try again.";
  if (error.status === 429) return `Too many tries. Wait ${error.retryAfter ?? 60} seconds.`;
  return MESSAGES[error.code] ?? error.message;
}

export class Account {
  constructor(session, { notify }) {
    this.session = session;
    this.notify = notify;
    this.dialog = $("account-dialog");
    $("account-open").addEventListener("click", () => this.open());
    $("account-logout").addEventListener("click", () => this.logout());
    this.dialog.querySelector("[data-close]").addEventListener("click", () => this.dialog.close());
    this.#form($("claim-form"), (data) =>
      this.session.claim(data.get("username"), data.get("email"), data.get("password")),
      () => `Saved. You are ${this.session.me.username} now, and she still knows you.`,
    );
    this.#form($("login-form"), (data) => this.session.login(data.get("email"), data.get("password")),
      () => `Signed in as ${this.session.me.username}.`,
    );
  }

  render() {
    const me = this.session.me;
    if (!me) return;
    const name = $("account-name");
    name.textContent = me.guest ? "Guest" : me.username;
    name.title = me.guest ? me.username : "";
    $("account-open").hidden = !me.guest;
    $("account-logout").hidden = me.guest;
  }

  open() {
    for (const form of this.dialog.querySelectorAll("form")) {
      form.reset();
      form.querySelector(".form-error").textContent = "";
    }
    this.dialog.showModal();
    this.dialog.querySelector("input").focus();
  }

  async logout() {
    try {
      await this.session.logout();
      this.notify("Signed out. You are a new guest now.");
    } catch (error) {
      this.notify(`Signing out failed: ${explain(error)}`);
    }
  }

  #form(form, action, done) {
    const problem = form.querySelector(".form-error");
    const button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      const invalid = [...form.elements].find((input) => input.willValidate && !input.checkValidity());
      if (invalid) {
        const label = invalid.closest("label")?.firstChild.textContent.trim() ?? "A field";
        problem.textContent = `${label}: ${invalid.validationMessage}`;
        invalid.focus();
        return;
      }
      button.disabled = true;
      try {
        await action(new FormData(form));
        this.dialog.close();
        this.notify(done());
      } catch (error) {
        problem.textContent = explain(error);
      } finally {
        button.disabled = false;
      }
    });
  }
}
