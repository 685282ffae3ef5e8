// Progressive enhancement only: a "Copy" button next to a value shown once (a new API key).
// Without script the value stays selectable text; the button is hidden until this runs.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const target = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[data-copy-status]");
  if (!target || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      if (status) status.textContent = "Copied.";
    } catch {
      if (status) status.textContent = "Copy failed: select the key and copy it by hand.";
    }
  });
});
