// While an answer is being marked, ask the server for its result and show it in place.
// Without JavaScript, the page says to refresh; the answer is saved either way.
const POLL_MS = [300, 500, 1000, 2000, 3000];

async function follow(element) {
  const url = element.dataset.attemptStatus;
  for (let i = 0; i < 120; i++) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS[Math.min(i, POLL_MS.length - 1)]));
    let reply;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) continue;
      reply = await response.json();
    } catch {
      continue; // a network blip: try again
    }
    if (reply.final) {
      element.innerHTML = reply.html;
      element.removeAttribute("data-attempt-status");
      if (reply.state === "graded" || reply.state === "error") {
        // Attempts left, the explanation and the form depend on the result: refresh them.
        const refresh = document.createElement("p");
        refresh.className = "govuk-body";
        const link = document.createElement("a");
        link.className = "govuk-link";
        link.href = window.location.pathname;
        link.textContent = "Continue";
        refresh.append(link);
        element.append(refresh);
      }
      return;
    }
  }
}

for (const element of document.querySelectorAll("[data-attempt-status]")) {
  if (element.dataset.attemptStatus) follow(element);
}
