// "Print or save as PDF": shown only when JavaScript can run it. The button sits in a wrapper
// that starts hidden: on the button itself, `hidden` would lose to .govuk-button's display.
for (const wrapper of document.querySelectorAll('[data-module="app-print"]')) {
  const button = wrapper.querySelector("button");
  if (!button) continue;
  button.addEventListener("click", () => window.print());
  wrapper.hidden = false;
}
