// "Print or save as PDF": shown only when JavaScript can run it (the button starts hidden).
for (const button of document.querySelectorAll('[data-module="app-print"]')) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
