/* Page behaviours declared with data- attributes, so templates need no inline script or on*= handlers
 * (the Content-Security-Policy allows scripts from our origin only). Loaded by base.html on every page.
 *
 *   <select data-submit-on-change>                      submits its form when changed
 *   <input type="checkbox" data-form-class-unchecked="c">  toggles class c on its form while unchecked
 *   <form data-confirm="确定？">                          asks before submitting
 *   <button data-print>                                 prints the page
 *   <div hx-get=… data-param-q="#id_org_code">       htmx sends q=<that field's value> (instead of hx-vals='js:…')
 *   <div data-bar-width="42">                          sets the bar's width to 42 %
 */
(function () {
  "use strict";

  function on(type, selector, handler) {
    document.addEventListener(type, function (event) {
      var el = event.target.closest && event.target.closest(selector);
      if (el) { handler(el, event); }
    });
  }

  on("change", "[data-submit-on-change]", function (el) {
    if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
  });

  on("change", "[data-form-class-unchecked]", function (el) {
    el.form.classList.toggle(el.dataset.formClassUnchecked, !el.checked);
  });

  on("submit", "form[data-confirm]", function (form, event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });

  on("click", "[data-print]", function () { window.print(); });

  // htmx: request parameters read from other fields at request time (hx-vals="js:…" would need eval).
  document.addEventListener("htmx:configRequest", function (event) {
    var el = event.detail.elt;
    Object.keys(el.dataset || {}).forEach(function (key) {
      var match = /^param([A-Z].*)$/.exec(key);
      if (!match) { return; }
      var field = document.querySelector(el.dataset[key]);
      var name = match[1].charAt(0).toLowerCase() + match[1].slice(1);
      event.detail.parameters[name] = field ? field.value : "";
    });
  });

  function progress(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-bar-width]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.barWidth) || 0)) + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { progress(document); });
  document.addEventListener("htmx:load", function (event) { progress(event.detail.elt.parentNode || document); });
})();
