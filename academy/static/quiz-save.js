// Saves a quiz's answers on the server as they are given (the "Save" button works without it).
// One request at a time; a change made while one is on its way is sent right after it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("save-status");
  var busy = false, again = false;

  function show(text) { if (status) { status.textContent = text; } }

  function send() {
    if (busy) { again = true; return; }
    busy = true; again = false;
    show(form.dataset.saving);
    fetch(form.dataset.autosave, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        show(body.saved || body.error || form.dataset.failed);
      });
    }).catch(function () {
      show(form.dataset.failed);
    }).then(function () {
      busy = false;
      if (again) { send(); }
    });
  }

  form.addEventListener("change", send);
}());
