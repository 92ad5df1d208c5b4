// Copy buttons for what a person must type elsewhere exactly (the transfer reference, the bank
// account). Each <button data-copy="ID"> copies the text of #ID (or its data-copy-text) and says
// so in the page's language; without script or clipboard the buttons stay hidden and the value,
// selectable with one tap (user-select: all), is copied by hand.
const copyButtons = document.querySelectorAll("button[data-copy]");

function copyText(button) {
  const target = document.getElementById(button.dataset.copy);
  return (target.dataset.copyText || target.textContent).trim();
}

function copySay(button, label) {
  const status = document.getElementById(button.dataset.copyStatus);
  if (status) status.textContent = label;
  button.textContent = label;
  window.setTimeout(() => { button.textContent = button.dataset.label; }, 2500);
}

if (navigator.clipboard && window.isSecureContext) {
  for (const button of copyButtons) {
    button.dataset.label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(copyText(button));
        copySay(button, button.dataset.copiedLabel);
      } catch {
        copySay(button, button.dataset.failedLabel);
      }
    });
  }
}
