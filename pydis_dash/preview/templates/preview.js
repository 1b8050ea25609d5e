// Raw-JSON toggles, and live reload: a served page carries its build version and polls the server for
// a newer one (an exported page has no version, so it never polls).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-toggle]");
  if (!button) return;
  const target = document.getElementById(button.dataset.toggle);
  target.hidden = !target.hidden;
  button.setAttribute("aria-expanded", String(!target.hidden));
});
const built = document.querySelector('meta[name="pydis-preview-version"]');
if (built) {
  setInterval(() => {
    fetch("/__version", { cache: "no-store" })
      .then((response) => response.json())
      .then((data) => { if (String(data.version) !== built.content) location.reload(); })
      .catch(() => {});  // server stopped or restarting: try again on the next tick
  }, 400);
}
