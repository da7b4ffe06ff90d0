/* shop_reco admin: live preview in the rule editor (progressive enhancement).
 * Without this script the "Preview" button re-renders the page with the preview.
 * With it, the preview panel refreshes as the merchant types. No inline code, CSP-friendly. */
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var panel = document.getElementById("preview-panel");
  var url = form.getAttribute("data-preview-url");
  var text = form.querySelector("[name=preview_text]");
  if (!panel || !url || !text) { return; }
  var timer = null;
  var pending = null;
  var sequence = 0;

  function refresh() {
    if (!text.value.trim()) { return; }
    var mine = ++sequence;
    var body = new FormData(form);
    body.delete("do");
    if (pending && pending.abort) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    panel.classList.add("is-loading");
    panel.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending ? pending.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview " + response.status); }
      return response.text();
    }).then(function (html) {
      if (mine !== sequence) { return; }
      panel.innerHTML = html;
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      if (mine === sequence) {
        panel.innerHTML = '<p class="muted preview-empty">The preview could not refresh; press Preview to try again.</p>';
      }
    }).then(function () {
      if (mine === sequence) {
        panel.classList.remove("is-loading");
        panel.removeAttribute("aria-busy");
      }
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.tagName === "SELECT" && target.parentNode.classList.contains("concept")) {
      var box = target.parentNode;
      box.classList.toggle("is-set", !!target.value);
      box.classList.toggle("role-none", target.value === "none");
    }
    schedule();
  });
})();
