// Injected by the bench (tests/src/bin/bench/browser.rs) before any script of each page,
// through the DevTools command Page.addScriptToEvaluateOnNewDocument. It watches the
// page with a MutationObserver and notes in `window.__bench`, with the page's own clock
// (`performance.now()`: milliseconds since the navigation started), when each of these
// first holds:
// - `popup`: Consentry's privacy pop-up is open; unless `acceptAfterMs` is null the
//   probe then, at once or that many milliseconds later (a customer reading), agrees
//   to every purpose and separate consent and continues (`accepting` before the first
//   click, `accepted` after the last);
// - `shown`: the console's sign-in form is there;
// - `interactive`: all the form's fields are there, each with an enabled input;
// - `done`: the form's success view is there (Consentry's receipt, SurveyJS's completed
//   page), after `fill.js` has submitted.
(() => {
  const config = __BENCH_CONFIG__;
  const consentry = location.pathname.startsWith("/f/");
  const surveyjs = location.pathname.endsWith("/surveyjs.html");
  const page = consentry
    ? {
        field: "form [data-field-key]",
        popup: "dialog[open][data-testid=privacy-dialog]",
        done: "[data-testid=receipt]",
      }
    : surveyjs
      ? { field: "[data-name]", done: ".sd-completedpage" }
      : { shown: "[data-testid=login-username]" };
  const marks = (window.__bench = { fields: config.fields });

  const enabled = (field) =>
    [...field.querySelectorAll("input, textarea, select")].some((i) => !i.matches(":disabled"));

  const accept = (dialog) => {
    for (const agree of dialog.querySelectorAll("input[type=radio][id$='-agree']")) {
      agree.click();
    }
    for (const separate of dialog.querySelectorAll("input[type=checkbox]")) {
      if (!separate.checked) separate.click();
    }
    dialog.querySelector("[data-testid=privacy-continue]").click();
  };

  const check = () => {
    const now = performance.now();
    if (page.shown && marks.shown === undefined && document.querySelector(page.shown)) {
      marks.shown = now;
    }
    if (page.popup && marks.popup === undefined) {
      const dialog = document.querySelector(page.popup);
      if (!dialog) return;
      marks.popup = now;
      if (config.acceptAfterMs === null) return;
      const go = () => {
        marks.accepting = performance.now();
        accept(dialog);
        marks.accepted = performance.now();
      };
      if (config.acceptAfterMs > 0) setTimeout(go, config.acceptAfterMs);
      else go();
    }
    if (page.field && config.fields > 0 && marks.interactive === undefined) {
      const fields = document.querySelectorAll(page.field);
      if (fields.length >= config.fields && [...fields].every(enabled)) {
        marks.interactive = now;
      }
    }
    if (page.done && marks.done === undefined && document.querySelector(page.done)) {
      marks.done = now;
    }
  };

  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
  });
})();
