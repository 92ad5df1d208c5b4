// The print view's "Print" button (a file, not an onclick attribute: the CSP allows no inline script).
document.querySelector("[data-print]").addEventListener("click", () => window.print());
