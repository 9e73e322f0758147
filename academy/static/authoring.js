// Authoring editor (same-origin, no inline JS):
// - warn before leaving the page with unsaved changes;
// - once a preview is shown, refresh it as the text is typed (the same server-side render as the
//   Preview button, which keeps working without JavaScript).
(function () {
  "use strict";
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) { return; }
      event.preventDefault();
      event.returnValue = "";
    });
  });

  var form = document.querySelector("form.editor");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var timer = null;
  var latest = 0;

  function refresh() {
    if (!document.getElementById("preview")) { return; }  // only after a first Preview
    var data = new FormData(form);
    data.set("action", "preview");
    var mine = ++latest;
    // getAttribute: the form's buttons are named "action", which form.action would return.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || mine !== latest) { return; }  // a newer refresh is on its way
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("preview");
        var current = document.getElementById("preview");
        if (fresh && current) {
          current.replaceWith(fresh);
        }
      })
      .catch(function () { /* offline: the Preview button still works */ });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  });
})();
