// Run by the bench (tests/src/bin/bench/browser.rs) through WebDriver once the form is
// interactive: fills every field as a person would (the value, then `input`, `change`,
// `blur` and `focusout` events; radios and checkboxes clicked) and presses the submit
// button, all in one task. `window.__bench.filling` is when it started; `probe.js` notes
// `done` when the success view shows. Arguments: the CSS selector of one field's
// element, and of the submit button. Returns the number of fields filled.
const [fieldSelector, submitSelector] = arguments;
const marks = window.__bench;
marks.filling = performance.now();

const setValue = (input, value) => {
  const proto = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement : HTMLInputElement;
  Object.getOwnPropertyDescriptor(proto.prototype, "value").set.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
  // Leaving the field: SurveyJS takes a comment's text on blur, Consentry marks the
  // field touched on focusout.
  input.dispatchEvent(new FocusEvent("blur"));
  input.dispatchEvent(new FocusEvent("focusout", { bubbles: true }));
};

const valueFor = (input, n) => {
  if (input instanceof HTMLTextAreaElement) return `A few words of comment, number ${n}.`;
  switch (input.type) {
    case "email":
      return `person${n}@example.com`;
    case "tel":
      return "138 0013 8000";
    case "date":
      return "2026-05-17";
    case "number":
      return String(n);
    default:
      return input.inputMode === "decimal" ? String(n) : `Answer ${n}`;
  }
};

let filled = 0;
document.querySelectorAll(fieldSelector).forEach((field, i) => {
  const texts = field.querySelectorAll(
    "textarea, input:not([type=radio]):not([type=checkbox]):not([type=button]):not([type=hidden])",
  );
  if (texts.length > 0) {
    texts.forEach((input) => setValue(input, valueFor(input, i + 1)));
  } else {
    const radio = field.querySelector("input[type=radio]");
    if (radio) {
      radio.click();
    } else {
      [...field.querySelectorAll("input[type=checkbox]")].slice(0, 2).forEach((c) => c.click());
    }
  }
  filled += 1;
});
document.querySelector(submitSelector).click();
return filled;
