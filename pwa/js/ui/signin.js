// The inline sign-in form: used on a first open and when a session expired with logs waiting.

import { ApiError, NetworkError } from "../api.js";
import { h } from "../dom.js";
import * as session from "../session.js";

let forms = 0;

export function signInForm({ onSignedIn, submitLabel = "Sign in" }) {
  const n = ++forms;
  const email = h("input", { id: `signin-email-${n}`, class: "field__input", type: "email", name: "email",
    autocomplete: "username", required: true });
  const password = h("input", { id: `signin-password-${n}`, class: "field__input", type: "password", name: "password",
    autocomplete: "current-password", required: true });
  const error = h("p", { class: "form__error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, submitLabel);
  const form = h("form", { class: "signin", novalidate: true },
    h("div", { class: "field" }, h("label", { class: "field__label", for: email.id }, "Email"), email),
    h("div", { class: "field" }, h("label", { class: "field__label", for: password.id }, "Password"), password),
    error, submit);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      await session.signIn(email.value.trim(), password.value);
      password.value = "";
      onSignedIn();
    } catch (problem) {
      if (problem instanceof NetworkError) error.textContent = "No connection. Your logs are safe on this phone; try again when you have signal.";
      else if (problem instanceof ApiError && problem.status === 429) error.textContent = "Too many tries. Wait a minute, then try again.";
      else error.textContent = (problem instanceof ApiError && problem.message) || "Sign-in failed.";
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
