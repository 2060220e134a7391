// Panel behaviour beyond htmx: drag-and-drop upload with a progress bar per file (XHR upload
// progress), and the CSRF header on every XHR; a confirmation before a delete; search boxes that
// narrow a list of choices, and the searchable unit tree; the playlist's drag-and-drop order (the
// Up/Down buttons stay as the keyboard way); the item form showing only the chosen kind's fields.
// No inline script anywhere (the CSP forbids it). Every page works without this file: it only adds
// to forms that already submit on their own.
"use strict";

(function () {
  function csrfToken(form) {
    var field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function statusRow(list, name) {
    var row = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", name);
    var note = document.createElement("span");
    note.className = "note";
    row.append(label, bar, note);
    list.append(row);
    return { row: row, bar: bar, note: note };
  }

  function refreshGrid(form) {
    if (window.htmx) {
      window.htmx.ajax("GET", form.dataset.grid, { target: "#media-grid", swap: "innerHTML" });
    }
  }

  function uploadOne(form, file) {
    var list = form.querySelector("#upload-status");
    var ui = statusRow(list, file.name);
    var data = new FormData();
    data.append("file", file);
    data.append("category", form.querySelector("select[name=category]").value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken(form));
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        ui.bar.value = Math.round((100 * event.loaded) / event.total);
      }
    });
    xhr.addEventListener("load", function () {
      var detail = "";
      try {
        detail = JSON.parse(xhr.responseText).detail || "";
      } catch (e) {
        detail = xhr.statusText;
      }
      if (xhr.status === 201) {
        ui.bar.value = 100;
        ui.row.className = "ok";
        ui.note.textContent = form.dataset.done;
        refreshGrid(form);
      } else {
        ui.row.className = "error";
        ui.row.setAttribute("role", "alert");
        ui.note.textContent = form.dataset.errorPrefix + ": " + detail;
      }
    });
    xhr.addEventListener("error", function () {
      ui.row.className = "error";
      ui.note.textContent = form.dataset.errorPrefix;
    });
    xhr.send(data);
  }

  function setUpUpload(form) {
    var zone = form.querySelector("#dropzone");
    var input = form.querySelector("input[type=file]");
    var category = form.querySelector("select[name=category]");
    function ready() {
      // the category is asked first: files are taken only once it is chosen
      input.disabled = !category.value;
      zone.classList.toggle("waiting", !category.value);
    }
    category.addEventListener("change", ready);
    ready();
    function take(files) {
      if (!category.value) {
        var ui = statusRow(form.querySelector("#upload-status"), form.dataset.needsCategory);
        ui.row.className = "error";
        ui.row.setAttribute("role", "alert");
        category.focus();
        return;
      }
      Array.prototype.forEach.call(files, function (file) { uploadOne(form, file); });
    }
    input.addEventListener("change", function () { take(input.files); input.value = ""; });
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      take(event.dataTransfer.files);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); take(input.files); });
  }

  // A search box narrowing a list of choices (input[data-filter] names the list): accents and
  // case ignored, so "tinh khe" finds "Xã Tịnh Khê"; hidden choices keep their checked state.
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase();
  }

  function setUpFilter(input) {
    var list = document.querySelector(input.dataset.filter);
    if (!list) { return; }
    input.addEventListener("input", function () {
      var wanted = folded(input.value.trim());
      list.querySelectorAll("label").forEach(function (choice) {
        choice.hidden = wanted !== "" && folded(choice.textContent).indexOf(wanted) < 0;
      });
    });
  }

  function fold(text) {
    // search without tones: "thanh hoa" finds "Thanh Hóa"; đ is not a combining mark
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d")
      .toLowerCase();
  }

  function setUpUnitPicker(box) {
    var search = box.querySelector(".unit-search");
    var none = box.querySelector(".unit-none");
    var rows = Array.prototype.slice.call(box.querySelectorAll("li[data-unit]"));
    var byId = {};
    rows.forEach(function (row) { byId[row.dataset.unit] = row; });
    search.hidden = false;
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // Enter must not submit the form
    });
    search.addEventListener("input", function () {
      var wanted = fold(search.value.trim());
      var shown = 0;
      rows.forEach(function (row) { row.hidden = wanted !== ""; });
      rows.forEach(function (row) {
        if (wanted === "" || fold(row.dataset.search).indexOf(wanted) === -1) { return; }
        shown += 1;
        for (var at = row; at; at = byId[at.dataset.parent]) { at.hidden = false; }  // with its parents
      });
      none.hidden = wanted === "" || shown > 0;
    });
    var chosen = box.querySelector("input[type=radio]:checked");
    if (chosen) { chosen.closest("li").scrollIntoView({ block: "nearest" }); }
  }

  function setUpConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  }

  function setUpItemForm(form) {
    // only the chosen kind's fields; the server drops the others anyway
    var kind = form.querySelector("select[name=kind]");
    function show() {
      form.querySelectorAll("[data-kinds]").forEach(function (group) {
        var wanted = group.dataset.kinds.split(" ").indexOf(kind.value) !== -1;
        group.hidden = !wanted;
        group.querySelectorAll("input, select, textarea").forEach(function (field) {
          field.disabled = !wanted;
        });
      });
    }
    kind.addEventListener("change", show);
    show();
  }

  function setUpReorder(list) {
    // drag an item onto another to move it there; the new order is sent by the order form
    var form = document.getElementById(list.dataset.orderForm);
    var dragged = null;
    function order() {
      return Array.prototype.map.call(list.querySelectorAll("li[data-item]"), function (row) {
        return row.dataset.item;
      });
    }
    var before = order().join(",");
    list.addEventListener("dragover", function (event) { if (dragged) { event.preventDefault(); } });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
    list.querySelectorAll("li[data-item]").forEach(function (row) {
      row.draggable = true;
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.dataset.item);
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("dragging");
        dragged = null;
        if (order().join(",") !== before) { send(); }  // dropped anywhere, or let go: the order shown is kept
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row) { return; }
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? row.nextSibling : row);
      });
    });
    function send() {
      form.querySelectorAll("input[name=item_ids]").forEach(function (old) { old.remove(); });
      order().forEach(function (item) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "item_ids";
        field.value = item;
        form.append(field);
      });
      form.submit();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload");
    if (form) { setUpUpload(form); }
    document.querySelectorAll("[data-unit-picker]").forEach(setUpUnitPicker);
    document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
    document.querySelectorAll("form[data-item-form]").forEach(setUpItemForm);
    document.querySelectorAll("ol[data-order-form]").forEach(setUpReorder);
    document.querySelectorAll("input[data-filter]").forEach(setUpFilter);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

// The publishing page's target tree: typing in the search box keeps the units, boards and tags
// whose name contains the words (and the units above them) and hides the rest.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").toLowerCase();
  }

  function filter(tree, words) {
    var items = tree.querySelectorAll("li[data-name]");
    items.forEach(function (item) { item.classList.add("hidden"); });
    items.forEach(function (item) {
      if (!words || fold(item.dataset.name).indexOf(words) !== -1) {
        for (var node = item; node && node !== tree; node = node.parentElement) {
          if (node.matches && node.matches("li[data-name]")) {
            node.classList.remove("hidden");
          }
        }
        item.querySelectorAll("li[data-name]").forEach(function (child) { child.classList.remove("hidden"); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var search = document.getElementById("target-search");
    var tree = document.getElementById("target-tree");
    if (!search || !tree) {
      return;
    }
    search.addEventListener("input", function (event) {
      event.stopPropagation();  // searching is not an edit: no new preview
      filter(tree, fold(search.value.trim()));
    });
  });
})();
