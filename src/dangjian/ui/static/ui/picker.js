/* Pickers (ui.pickers, issue 9): a text box that searches a JSON source as one types and offers a list
 * (name, parent path, hint), chosen by tap or with the keyboard (↑/↓, Enter, Esc). Loaded on every page
 * by base.html; no inline script (CSP). Without this script the box still takes a code or a name.
 *
 *   <div data-picker="/orgs/pick/" data-picker-params="type=branch" data-picker-label="热控班党支部">
 *     <input name="org" value="A1"> <ul role="listbox"></ul> <div data-picker-chosen></div>
 *   </div>
 *
 * On start the field's name moves to a hidden input holding the value (a code or an id); the visible box
 * shows the name and is not submitted. Typing without choosing submits what was typed (a code or a name),
 * which the server resolves as before. Choosing fires a bubbling "picker:chosen" event on the box (pages
 * refresh with htmx on it) and "change".
 * Source answer: {"items": [{"value": "A1", "label": "热控班党支部", "path": "集团党委 › 一厂党委", "hint": "党支部"}]}
 */
(function () {
  "use strict";

  var DELAY = 200;

  function text(tag, cls, value) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = value;
    return el;
  }

  function setup(root) {
    if (root.dataset.pickerReady) { return; }
    root.dataset.pickerReady = "1";
    var box = root.querySelector("input");
    var list = root.querySelector("[role=listbox]");
    var chosen = root.querySelector("[data-picker-chosen]");
    if (!box || !list) { return; }
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = box.name;
    hidden.value = box.value;
    box.removeAttribute("name");
    box.parentNode.insertBefore(hidden, box);
    if (root.dataset.pickerLabel) { box.value = root.dataset.pickerLabel; }
    list.style.maxHeight = "60vh";
    list.style.overflowY = "auto";

    var items = [];
    var active = -1;
    var timer = null;
    var serial = 0;

    function open(flag) {
      list.classList.toggle("show", flag);
      box.setAttribute("aria-expanded", flag ? "true" : "false");
      if (!flag) { active = -1; box.removeAttribute("aria-activedescendant"); }
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (el, i) {
        el.classList.toggle("active", i === active);
        el.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      box.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      hidden.value = item.value;
      box.value = item.label;
      if (chosen) {
        chosen.textContent = "";
        chosen.appendChild(text("span", "fw-semibold", item.label));
        if (item.path) { chosen.appendChild(document.createTextNode(" · " + item.path)); }
      }
      open(false);
      box.classList.remove("is-invalid");
      box.dispatchEvent(new CustomEvent("picker:chosen", {bubbles: true, detail: item}));
      hidden.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function render(found) {
      items = found;
      list.textContent = "";
      if (!found.length) {
        list.appendChild(text("li", "dropdown-item-text small text-body-secondary", root.dataset.pickerEmpty || ""));
      }
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "_" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "dropdown-item text-wrap py-2";
        li.dataset.index = String(i);
        li.appendChild(text("div", "fw-semibold", item.label));
        var sub = [item.path, item.hint].filter(Boolean).join(" · ");
        if (sub) { li.appendChild(text("div", "small text-body-secondary", sub)); }
        list.appendChild(li);
      });
      open(true);
      if (found.length) { highlight(0); }
    }

    function search() {
      var q = box.value.trim();  // typed, not chosen: the hidden value is the text (a code or a name)
      if (chosen) { chosen.textContent = ""; }
      if (!q) { open(false); return; }
      var mine = ++serial;
      var url = root.dataset.picker + "?" + (root.dataset.pickerParams ? root.dataset.pickerParams + "&" : "") +
        "q=" + encodeURIComponent(q);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {items: []}; })
        .then(function (body) { if (mine === serial) { render(body.items || []); } })
        .catch(function () { /* offline: the typed text is submitted as it is */ });
    }

    box.addEventListener("input", function () {
      hidden.value = box.value.trim();
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    box.addEventListener("keydown", function (event) {
      var shown = list.classList.contains("show");
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (shown) { highlight(active + 1); } else if (box.value.trim()) { search(); }
      } else if (event.key === "ArrowUp" && shown) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && shown) {
        event.preventDefault();  // choosing, not submitting the form
        choose(active);
      } else if (event.key === "Escape" && shown) {
        event.preventDefault();
        open(false);
      }
    });
    // mousedown would blur the box first and close the list before the click lands
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var li = event.target.closest("[role=option]");
      if (li) { choose(parseInt(li.dataset.index, 10)); }
    });
    box.addEventListener("blur", function () { open(false); });
  }

  function init(scope) {
    (scope.querySelectorAll ? scope : document).querySelectorAll("[data-picker]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt.parentNode || document); });
})();
