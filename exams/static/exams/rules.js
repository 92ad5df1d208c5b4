// The rules page: the start button stays disabled until the honour statement is ticked (the
// server refuses a start without it too).
(function () {
  "use strict";
  var box = document.getElementById("id_honour");
  var button = document.getElementById("start-button");
  if (!box || !button) { return; }
  function sync() { button.disabled = !box.checked; }
  box.addEventListener("change", sync);
  sync();
}());
