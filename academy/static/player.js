/* The module page remembers the section the learner has reached, so that "Resume" returns
   there. Without this script the page works the same; only the place is not remembered. */
(function () {
  "use strict";
  var article = document.querySelector("[data-position-url]");
  if (!article || !window.fetch) { return; }
  var url = article.getAttribute("data-position-url");
  var token = article.getAttribute("data-csrf");
  var headings = Array.prototype.slice.call(article.querySelectorAll(".module-text h2[id], .module-text h3[id]"));
  var saved = article.getAttribute("data-section") || "";
  var current = saved;
  var timer = null;

  function save() {
    timer = null;
    if (!current || current === saved) { return; }
    var section = current;
    var body = new URLSearchParams();
    body.set("section", section);
    body.set("csrf_token", token);
    fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true,
                 headers: { "X-CSRFToken": token } })
      .then(function (response) { if (response.ok) { saved = section; } })
      .catch(function () { /* offline: the next scroll tries again */ });
  }

  function locate() {
    var line = window.innerHeight * 0.35;
    var reached = "";
    for (var i = 0; i < headings.length; i += 1) {
      if (headings[i].getBoundingClientRect().top <= line) { reached = headings[i].id; } else { break; }
    }
    if (reached && reached !== current) {
      current = reached;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 1200);
    }
  }

  var ticking = false;
  window.addEventListener("scroll", function () {
    if (ticking) { return; }
    ticking = true;
    window.requestAnimationFrame(function () { ticking = false; locate(); });
  }, { passive: true });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) { clearTimeout(timer); save(); }
  });
}());
